// /api/settings: admin settings.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { readSettings, writeSettings } from "../../settings/store.ts";
import { errorResponses, type RouteDeps } from "../schemas.ts";

const Settings = Type.Object({
  consentFilter: Type.Boolean({
    description:
      "When on, marketing needs e-marketing consent or a subscription to the mailing's type (SPEC §4)",
  }),
});

export const settingsRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      "/settings",
      { schema: { tags: ["settings"], summary: "Admin settings", response: { 200: Settings } } },
      async () => readSettings(deps.db),
    );
    app.put(
      "/settings",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["settings"],
          summary: "Change admin settings (admin)",
          body: Type.Partial(Settings, { additionalProperties: false }),
          response: { 200: Settings, ...errorResponses },
        },
      },
      async (request) => writeSettings(deps.db, request.body),
    );
  };
