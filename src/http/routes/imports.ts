// /api/imports, /api/import-mappings and /api/exports: person import (file as the raw body), saved mappings, exports.
import { join } from "node:path";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { PersonImportReportSchema } from "../../imports/api-schemas.ts";
import { CONTENT_TYPES, exportPersons } from "../../imports/export.ts";
import { importPersons } from "../../imports/import-persons.ts";
import { deleteMapping, listMappings, saveMapping } from "../../imports/mappings.ts";
import { notFound } from "../../shared/errors.ts";
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
import { errorResponses, Id, IdParams, literals, NoContent, Nullable, type RouteDeps } from "../schemas.ts";

const ProgressSchema = Type.Object({
  running: Type.Literal(true),
  progress: Nullable(
    Type.Object({
      phase: literals(["checking", "writing"] as const, {
        description:
          "checking: reading the file before anything is written; writing: the batches being written",
      }),
      rows: Type.Integer(),
      totalRows: Nullable(Type.Integer({ description: "known once a first pass has counted the rows" })),
      bytes: Type.Integer(),
      totalBytes: Type.Integer(),
    }),
  ),
});

const ImportQuery = Type.Object(
  {
    dryRun: Type.Boolean({ default: false, description: "check and report only; nothing is written" }),
    allOrNothing: Type.Boolean({
      default: false,
      description: "refuse the whole file when any row is invalid",
    }),
    legalBasis: literals(["consent", "contract", "legitimate-interest"] as const),
    source: Type.String({
      minLength: 1,
      maxLength: 500,
      description: "where the people's consent comes from",
    }),
    newConsent: Type.Boolean({
      default: false,
      description:
        "the file records consent given anew (legal basis consent): only then are addresses on the suppression list given consent",
    }),
    selectionId: Type.Optional(Id),
    mappingId: Type.Optional(Id),
    map: Type.Optional(
      Type.String({
        maxLength: 4000,
        description: 'columns to fields, e.g. "E-post=email,Fornavn=firstName"',
      }),
    ),
    progressId: Type.Optional(ProgressId),
  },
  { additionalProperties: false },
);

const Mapping = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  columns: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const MappingInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    columns: Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 100 }), {
      maxProperties: 500,
    }),
  },
  { additionalProperties: false },
);

export const importRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const handle = { db, dialect: deps.dialect };
    const running = deps.imports;

    acceptFileBodies(app, join(deps.config.dataDir, "uploads")); // scoped to this plugin

    app.post(
      "/imports/persons",
      {
        bodyLimit: MAX_FILE_BYTES,
        schema: {
          tags: ["imports"],
          summary:
            "Import persons from the CSV or XLSX file sent as the body; dryRun=true reports without writing",
          description:
            "Send the file as the body with Content-Type text/csv or " +
            `${XLSX}. Columns are mapped by header guesses (Norwegian and English), a saved mapping (mappingId) and ` +
            "`map`. Persons are matched by e-mail: updated (blank cells never clear) or created. Invalid rows are " +
            "skipped and reported, or with allOrNothing the file is refused (IMPORT_ROWS_INVALID, report in details).",
          querystring: ImportQuery,
          response: { 200: PersonImportReportSchema, ...importErrors },
        },
      },
      async (request) => {
        const query = request.query;
        const file = uploadedFile(request, query.map);
        const userId = caller(request).user.id;
        const followed = query.progressId ? running.start(query.progressId, userId) : null;
        try {
          return await importPersons(handle, file.input, {
            dryRun: query.dryRun,
            allOrNothing: query.allOrNothing,
            attestation: { legalBasis: query.legalBasis, source: query.source, newConsent: query.newConsent },
            selectionId: query.selectionId ?? null,
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
      "/imports/progress/:progressId",
      {
        schema: {
          tags: ["imports"],
          summary: "How far a running import has come (rows read or written, of how many)",
          description:
            "For a person import (POST /api/imports/persons) or a recipient-file import (POST /api/mailings/{id}/imports) sent with progressId by the same user, while it runs in this server process; 404 once it has ended. A recipient-file import reads its file once: totalRows stays null and bytes of totalBytes say how far it is.",
          params: Type.Object({ progressId: ProgressId }),
          response: { 200: ProgressSchema, ...errorResponses },
        },
      },
      async (request) => {
        const found = running.progressOf(request.params.progressId, caller(request).user.id);
        if (!found) throw notFound("import", request.params.progressId);
        return found;
      },
    );

    app.get(
      "/import-mappings",
      {
        schema: {
          tags: ["imports"],
          summary: "Saved column mappings",
          response: { 200: Type.Object({ items: Type.Array(Mapping) }) },
        },
      },
      async () => ({ items: await listMappings(db) }),
    );

    app.post(
      "/import-mappings",
      {
        schema: {
          tags: ["imports"],
          summary: "Save a column mapping (column name → field); one of the same name is replaced",
          body: MappingInput,
          response: { 201: Mapping, ...importErrors },
        },
      },
      async (request, reply) => reply.status(201).send(await saveMapping(db, request.body)),
    );

    app.delete(
      "/import-mappings/:id",
      {
        schema: {
          tags: ["imports"],
          summary: "Delete a saved mapping",
          params: IdParams,
          response: { 204: NoContent, ...importErrors },
        },
      },
      async (request, reply) => {
        await deleteMapping(db, request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      "/exports/persons",
      {
        config: { access: "export" },
        schema: {
          tags: ["exports"],
          summary: "Export persons (or a selection's members) as CSV or XLSX, streamed",
          querystring: Type.Object(
            {
              format: literals(["csv", "xlsx"] as const, { default: "csv" }),
              selectionId: Type.Optional(Id),
              delimiter: Type.Optional(literals([",", ";"] as const)),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { format, selectionId, delimiter } = request.query;
        await audit(db, request, {
          action: "export.persons",
          ...(selectionId ? { target: { type: "selection" as const, id: selectionId } } : {}),
          detail: { format, selectionId: selectionId ?? null },
        });
        const stream = await exportPersons(db, {
          format,
          selectionId: selectionId ?? null,
          ...(delimiter ? { delimiter } : {}),
        });
        const day = new Date().toISOString().slice(0, 10);
        const name = selectionId ? `selection-${selectionId}-persons-${day}` : `persons-${day}`;
        return reply
          .header("content-type", CONTENT_TYPES[format])
          .header("content-disposition", `attachment; filename="${name}.${format}"`)
          .header("cache-control", "no-store")
          .send(stream);
      },
    );
  };
