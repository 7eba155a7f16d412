// /api/mailings/:id/imports (recipients from a CSV or XLSX file, the raw body) and
import { join } from "node:path";
// /api/mailings/:id/recipients/export (the recipient list with status, streamed as CSV or XLSX).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { BLOCK_REASONS } from "../../db/block-reasons.ts";
import { RecipientImportReportSchema } from "../../imports/api-schemas.ts";
import { CONTENT_TYPES } from "../../imports/export.ts";
import { exportRecipients } from "../../imports/export-recipients.ts";
import { importRecipients } from "../../imports/import-recipients.ts";
import { parseFilters } from "../../track/follow-up.ts";
import { audit } from "../audit.ts";
import { caller } from "../auth.ts";
import {
  acceptFileBodies,
  importErrors,
  MAX_FILE_BYTES,
  ProgressId,
  uploadedFile,
  XLSX,
} from "../import-report-schema.ts";
import { Id, IdParams, literals, type RouteDeps } from "../schemas.ts";

export const mailingImportRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const handle = { db, dialect: deps.dialect };
    const tags = ["mailings"];

    acceptFileBodies(app, join(deps.config.dataDir, "uploads")); // scoped to this plugin

    app.post(
      "/mailings/:id/imports",
      {
        bodyLimit: MAX_FILE_BYTES,
        schema: {
          tags,
          summary:
            "Add recipients from the CSV or XLSX file sent as the body; dryRun=true reports without writing",
          description:
            `Send the file as the body (text/csv or ${XLSX}). Columns are mapped as in the person import. Rows ` +
            "whose address belongs to a CRM person are linked to that person; the others stay import-only " +
            "recipients. A real run needs consentConfirmed=true and adds the file as one recipient source. With " +
            "progressId, GET /api/imports/progress/{progressId} says how far it has come while the request waits.",
          params: IdParams,
          querystring: Type.Object(
            {
              dryRun: Type.Boolean({ default: false }),
              allOrNothing: Type.Boolean({ default: false }),
              consentConfirmed: Type.Boolean({
                default: false,
                description: "the people in the file consented to marketing (required unless dryRun)",
              }),
              source: Type.Optional(
                Type.String({ maxLength: 500, description: "where that consent comes from" }),
              ),
              fileName: Type.Optional(Type.String({ maxLength: 200 })),
              mappingId: Type.Optional(Id),
              progressId: Type.Optional(ProgressId),
              map: Type.Optional(
                Type.String({
                  maxLength: 4000,
                  description: 'columns to fields, e.g. "E-post=email,Navn=name"',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: RecipientImportReportSchema, ...importErrors },
        },
      },
      async (request) => {
        const query = request.query;
        const file = uploadedFile(request, query.map);
        const userId = caller(request).user.id;
        // The same progress as the person import's, read at GET /api/imports/progress/{progressId}.
        const followed = query.progressId ? deps.imports.start(query.progressId, userId) : null;
        try {
          return await importRecipients(handle, request.params.id, file.input, {
            dryRun: query.dryRun,
            allOrNothing: query.allOrNothing,
            consentConfirmed: query.consentConfirmed,
            consentSource: query.source ?? null,
            fileName: query.fileName ?? null,
            mappingId: query.mappingId ?? null,
            map: file.map,
            ...(file.format ? { format: file.format } : {}),
            userId,
            defaultCountry: deps.config.defaultCountry,
            ...(followed ? { onProgress: followed.onProgress } : {}),
          });
        } finally {
          followed?.end();
          await file.remove();
        }
      },
    );

    app.get(
      "/mailings/:id/recipients/export",
      {
        config: { access: "export" },
        schema: {
          tags,
          summary: "The recipient list with each row's status and latest delivery, as CSV or XLSX, streamed",
          params: IdParams,
          querystring: Type.Object(
            {
              format: literals(["csv", "xlsx"] as const, { default: "csv" }),
              status: Type.Optional(literals(["eligible", "blocked"] as const)),
              reason: Type.Optional(literals(BLOCK_REASONS)),
              delimiter: Type.Optional(literals([",", ";"] as const)),
              filters: Type.Optional(
                Type.String({ maxLength: 300, description: "The follow-up list's filters, comma-separated" }),
              ),
              linkId: Type.Optional(Id),
              search: Type.Optional(Type.String({ maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { format, status, reason, delimiter, filters, linkId, search } = request.query;
        const followUp = {
          filters: parseFilters(filters),
          ...(linkId !== undefined ? { linkId } : {}),
          ...(search ? { search } : {}),
        };
        await audit(db, request, {
          action: "export.recipients",
          target: { type: "mailing", id: request.params.id },
          detail: {
            format,
            status: status ?? null,
            reason: reason ?? null,
            filters: filters ?? null,
            linkId: linkId ?? null,
          },
        });
        const stream = await exportRecipients(db, request.params.id, {
          format,
          filter: { status, reason, followUp },
          ...(delimiter ? { delimiter } : {}),
        });
        const day = new Date().toISOString().slice(0, 10);
        return reply
          .header("content-type", CONTENT_TYPES[format])
          .header(
            "content-disposition",
            `attachment; filename="mailing-${request.params.id}-recipients-${day}.${format}"`,
          )
          .header("cache-control", "no-store")
          .send(stream);
      },
    );
  };
