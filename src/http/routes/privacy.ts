// /api/persons/:id/export, /api/persons/:id/erase and /api/suppressions: a person's data export, their erasure, and
// the suppression list (SPEC §11). Each export, erasure and cleared entry is audited.
import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { erasePerson, erasurePlan } from "../../privacy/erase.ts";
import { renderExportHtml } from "../../privacy/export-html.ts";
import { exportParts, exportPerson, exportPersonJson } from "../../privacy/person-data.ts";
import { checkAddress, clearSuppression, countSuppressions } from "../../privacy/suppression.ts";
import { audit } from "../audit.ts";
import { errorResponses, IdParams, literals, type RouteDeps } from "../schemas.ts";

const Count = Type.Integer({ minimum: 0 });
const ErasurePlanSchema = Type.Object({
  personId: Type.Integer(),
  emails: Count,
  interests: Count,
  customFields: Count,
  consents: Count,
  consentHistory: Count,
  subscriptions: Count,
  selections: Count,
  projects: Count,
  deliveries: Count,
  events: Count,
  recipientRows: Count,
  recipientImportRows: Count,
  smsReceived: Count,
});
const Reason = literals(["erased", "unsubscribed", "complained"] as const);
const Entry = Type.Object({ reason: Reason, createdAt: Type.String(), updatedAt: Type.String() });
const AddressInput = Type.String({ minLength: 3, maxLength: 320 });

export const privacyRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;

    app.get(
      "/persons/:id/export",
      {
        config: { access: "export" },
        schema: {
          tags: ["persons"],
          summary:
            "Everything kept about the person (GDPR art. 15): JSON of the documented shape, or a readable HTML page in their language",
          params: IdParams,
          querystring: Type.Object(
            { format: literals(["json", "html"] as const, { default: "json" }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { format } = request.query;
        const exported = () =>
          audit(db, request, {
            action: "person.data-exported",
            target: { type: "person", id },
            detail: { format },
          });
        reply.header("cache-control", "no-store");
        if (format === "json") {
          // Streamed: the head, then the deliveries a page at a time. Logged before the stream starts.
          const parts = await exportParts(db, id);
          await exported();
          reply.header("content-disposition", `attachment; filename="person-${id}.json"`);
          return reply.type("application/json; charset=utf-8").send(Readable.from(exportPersonJson(parts)));
        }
        const data = await exportPerson(db, id);
        await exported();
        // Everything in the page is escaped; the policy is a second fence around data that came from outside.
        reply.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
        return reply.type("text/html; charset=utf-8").send(renderExportHtml(data));
      },
    );

    app.get(
      "/persons/:id/erasure",
      {
        config: { access: "erase" },
        schema: {
          tags: ["persons"],
          summary: "What erasing the person would remove or anonymise, counted (for the confirm dialog)",
          params: IdParams,
          response: { 200: ErasurePlanSchema, ...errorResponses },
        },
      },
      async (request) => erasurePlan(db, request.params.id),
    );

    app.post(
      "/persons/:id/erase",
      {
        config: { access: "erase" },
        schema: {
          tags: ["persons"],
          summary:
            "Erase the person (GDPR art. 17): personal data deleted in one transaction, deliveries and events kept anonymously, addresses suppressed",
          params: IdParams,
          response: { 200: ErasurePlanSchema, ...errorResponses },
        },
      },
      async (request) => {
        const erased = await erasePerson(db, request.params.id);
        await audit(db, request, {
          action: "person.erased",
          target: { type: "person", id: request.params.id },
          detail: { ...erased },
        });
        return erased;
      },
    );

    const admin = { access: "manageSettings" as const };
    const tags = ["suppressions"];

    app.get(
      "/suppressions",
      {
        config: admin,
        schema: {
          tags,
          summary: "How many addresses are on the suppression list, by reason (admin)",
          response: {
            200: Type.Object({
              total: Count,
              byReason: Type.Object({ erased: Count, unsubscribed: Count, complained: Count }),
            }),
            ...errorResponses,
          },
        },
      },
      async () => countSuppressions(db),
    );

    app.get(
      "/suppressions/check",
      {
        config: admin,
        schema: {
          tags,
          summary: "Whether one address is on the suppression list (admin)",
          querystring: Type.Object({ address: AddressInput }, { additionalProperties: false }),
          response: {
            200: Type.Object({ suppressed: Type.Boolean(), entry: Type.Union([Entry, Type.Null()]) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const entry = await checkAddress(db, request.query.address);
        return { suppressed: entry !== null, entry };
      },
    );

    app.post(
      "/suppressions/clear",
      {
        config: admin,
        schema: {
          tags,
          summary:
            "Take an address off the suppression list (admin; audited): imports and consent may then bring it back. Answers with the entry removed, or null when the address was not on the list",
          body: Type.Object({ address: AddressInput }, { additionalProperties: false }),
          response: { 200: Type.Object({ cleared: Type.Union([Entry, Type.Null()]) }), ...errorResponses },
        },
      },
      async (request) => {
        const { address } = request.body;
        const found = await clearSuppression(db, address);
        if (!found) return { cleared: null };
        const { hash, ...cleared } = found;
        // The entry is named by its hash: the audit log, which nothing may erase, keeps no address in clear text.
        await audit(db, request, {
          action: "suppression.cleared",
          target: { type: "suppression", id: hash },
          detail: { reason: cleared.reason, since: cleared.createdAt },
        });
        return { cleared };
      },
    );
  };
