// /api/settings: admin settings.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { retentionSchedule } from "../../privacy/retention.ts";
import { readSettings, writeSettings } from "../../settings/store.ts";
import { audit } from "../audit.ts";
import { errorResponses, type RouteDeps } from "../schemas.ts";

const Settings = Type.Object({
  consentFilter: Type.Boolean({
    description:
      "When on, marketing needs e-marketing consent or a subscription to the mailing's type (SPEC §4)",
  }),
  retentionTrackingDays: Type.Integer({
    minimum: 1,
    maximum: 3650,
    description: "Days the IP address and device class of opens and clicks are kept (SPEC §11; default 90)",
  }),
  retentionReturnedMailDays: Type.Integer({
    minimum: 1,
    maximum: 3650,
    description: "Days the raw bytes of returned mail (bounces, complaints) are kept (default 30)",
  }),
  retentionAuditDays: Type.Integer({
    minimum: 180,
    maximum: 3650,
    description: "Days audit-log entries are kept (default 730); the database refuses to delete younger ones",
  }),
  formConfirmHours: Type.Integer({
    minimum: 1,
    maximum: 720,
    description: "Hours a web form's double opt-in confirmation link stays valid (SPEC §9; default 48)",
  }),
  formOverwritableFields: Type.Array(Type.String({ pattern: "^([a-z_]+|custom:[0-9]+)$", maxLength: 40 }), {
    maxItems: 50,
    description:
      "Mapped form fields (first_name, mobile, custom:<id> …) a form submission may overwrite when the CRM already has a value; all others are only filled when empty (default none)",
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
    app.get(
      "/settings/retention",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["settings"],
          summary: "When the daily retention run last ran and runs next (admin)",
          response: {
            200: Type.Object({
              lastRun: Type.Union([Type.String(), Type.Null()]),
              nextRun: Type.Union([Type.String(), Type.Null()]),
            }),
          },
        },
      },
      async () => retentionSchedule(deps.db),
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
      async (request) => {
        const before = await readSettings(deps.db);
        const after = await writeSettings(deps.db, request.body);
        // Which settings changed, from what to what: none of them is a secret today; one that is gets its name only.
        const changed = Object.fromEntries(
          (Object.keys(request.body) as Array<keyof typeof after>)
            .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
            .map((key) => [key, { from: before[key], to: after[key] }]),
        );
        if (Object.keys(changed).length > 0)
          await audit(deps.db, request, {
            action: "settings.changed",
            target: { type: "settings", id: "admin" },
            detail: { changed },
          });
        return after;
      },
    );
  };
