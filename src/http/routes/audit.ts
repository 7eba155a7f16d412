// /api/audit: the audit log for admins, filtered and paged, and its CSV export. No route changes an entry.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AuditFilterQuery, AuditPageSchema } from "../../audit/api-schemas.ts";
import { exportAudit, listAudit } from "../../audit/log.ts";
import { audit } from "../audit.ts";
import { errorResponses, literals, PageQuery, type RouteDeps } from "../schemas.ts";

const admin = { access: "manageSettings" as const };

export const auditRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["audit"];
    app.get(
      "/audit",
      {
        config: admin,
        schema: {
          tags,
          summary:
            "The audit log, newest first: sign-ins, exports, consent overrides, users, keys, settings (admin)",
          querystring: Type.Object({ ...PageQuery, ...AuditFilterQuery }, { additionalProperties: false }),
          response: { 200: AuditPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listAudit(db, filter, { limit, offset });
      },
    );
    app.get(
      "/audit/export",
      {
        config: admin,
        schema: {
          tags,
          summary: "Export the audit log (same filters) as CSV, streamed (admin)",
          querystring: Type.Object(
            {
              ...AuditFilterQuery,
              format: literals(["csv"] as const, { default: "csv" }),
              delimiter: Type.Optional(literals([",", ";"] as const)),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { format, delimiter, ...filter } = request.query;
        // Reading the log out is itself an export, and logged as one.
        await audit(db, request, { action: "export.audit-log", detail: { format, ...filter } });
        const day = new Date().toISOString().slice(0, 10);
        return reply
          .header("content-type", "text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="audit-log-${day}.csv"`)
          .header("cache-control", "no-store")
          .send(exportAudit(db, filter, { delimiter }));
      },
    );
  };
