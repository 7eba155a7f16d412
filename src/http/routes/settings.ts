// /api/settings: admin settings.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { retentionSchedule } from "../../privacy/retention.ts";
import { readDomainPacing, writeDomainPacing } from "../../send/domain-pacing.ts";
import { pacingProblems } from "../../send/pacing-rules.ts";
import { readSettings, writeSettings } from "../../settings/store.ts";
import { invalid } from "../../shared/errors.ts";
import { audit } from "../audit.ts";
import { errorResponses, type RouteDeps } from "../schemas.ts";

const Limits = {
  ratePerSecond: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }), Type.Null()], {
    description: "Messages per second, shared by every worker process; null: no rate of its own",
  }),
  maxInFlight: Type.Union([Type.Integer({ minimum: 1, maximum: 1000 }), Type.Null()], {
    description: "Messages one worker process has on the wire to these domains at once; null: no bound",
  }),
};
const DomainPacingSchema = Type.Object(
  {
    rules: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 60, description: "The provider, e.g. Google" }),
          domains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
            minItems: 1,
            maxItems: 50,
            description:
              'Lower-case domains that share the provider\'s mail servers ("gmail.com"), or a name under any country suffix ("hotmail.*": hotmail.no, hotmail.co.uk)',
          }),
          ...Limits,
        },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
    otherDomains: Type.Object(Limits, {
      additionalProperties: false,
      description: "Every domain no rule names, each paced on its own",
    }),
  },
  {
    additionalProperties: false,
    description:
      "Per-recipient-domain pacing (docs/operations.md): a 4xx from a domain halves its rate, successes raise it back. Built in: Google, Microsoft, Yahoo and Apple; other domains unbounded",
  },
);

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
  domainPacing: DomainPacingSchema,
});
const SettingsChange = Type.Partial(
  Type.Object({
    ...Settings.properties,
    domainPacing: Type.Union([DomainPacingSchema, Type.Null()], {
      description: "null goes back to the built-in pacing",
    }),
  }),
  { additionalProperties: false },
);

async function allSettings(db: RouteDeps["db"]) {
  return { ...(await readSettings(db)), domainPacing: await readDomainPacing(db) };
}

export const settingsRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      "/settings",
      { schema: { tags: ["settings"], summary: "Admin settings", response: { 200: Settings } } },
      async () => allSettings(deps.db),
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
          body: SettingsChange,
          response: { 200: Settings, ...errorResponses },
        },
      },
      async (request) => {
        const { domainPacing, ...rest } = request.body;
        if (domainPacing) {
          const problems = pacingProblems(domainPacing);
          if (problems.length > 0) throw invalid(problems);
        }
        const before = await allSettings(deps.db);
        await writeSettings(deps.db, rest);
        if (domainPacing !== undefined) await writeDomainPacing(deps.db, domainPacing);
        const after = await allSettings(deps.db);
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
