// What the person and recipient import routes share: the file as the raw body, their error shape, and the parts of an
// import report both have (the file as read, its columns, the listed rows), so both document the same shapes.
import type { FastifyInstance, FastifyRequest } from "fastify";
import Type from "typebox";
import { parseMapText } from "../imports/mapping.ts";
import { invalid } from "../shared/errors.ts";
import { literals, Nullable } from "./schemas.ts";

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Takes the file as the raw body, whatever its declared type; its bytes decide the format (a zip is XLSX). */
export function acceptFileBodies(app: FastifyInstance): void {
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser(
    ["text/csv", "text/plain", XLSX, "application/octet-stream"],
    { parseAs: "buffer", bodyLimit: MAX_FILE_BYTES },
    (_request, body, done) => done(null, body),
  );
}

/**
 * The uploaded file and the `map` query as an import takes them; an empty body or a malformed map is a field error.
 * XLSX declared in Content-Type is read as XLSX (a file that is no zip is then refused); otherwise the bytes decide.
 */
export function uploadedFile(request: FastifyRequest, map: string | undefined) {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw invalid([{ field: "body", message: "send the CSV or XLSX file as the request body" }]);
  const parsed = map ? parseMapText(map) : { map: {}, problems: [] };
  if (parsed.problems.length > 0) throw invalid(parsed.problems);
  const declaresXlsx = (request.headers["content-type"] ?? "").startsWith(XLSX);
  return { input: { buffer: body }, map: parsed.map, ...(declaresXlsx ? { format: "xlsx" as const } : {}) };
}

// Errors carry structured details (a refused file's report); the shared ErrorBody would strip them.
const ImportError = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Object({}, { additionalProperties: true }),
  }),
});
export const importErrors = {
  400: ImportError,
  403: ImportError,
  404: ImportError,
  409: ImportError,
  413: ImportError,
  422: ImportError,
};

const Row = Type.Integer({ description: "row as the spreadsheet numbers it: the header is row 1" });

export const reportFileFields = {
  dryRun: Type.Boolean(),
  file: Type.Object({
    format: literals(["csv", "xlsx"] as const),
    encoding: Nullable(Type.String()),
    delimiter: Nullable(Type.String()),
    bytes: Type.Integer(),
  }),
  columns: Type.Array(
    Type.Object({ column: Type.String(), field: Nullable(Type.String()), guessed: Type.Boolean() }),
  ),
  rows: Type.Integer(),
  valid: Type.Integer(),
  invalid: Type.Integer(),
  duplicatesInFile: Type.Integer(),
};

export const reportListFields = {
  issues: Type.Array(
    Type.Object({ row: Row, column: Type.String(), value: Type.String(), reason: Type.String() }),
  ),
  duplicates: Type.Array(Type.Object({ row: Row, email: Type.String(), firstRow: Row })),
  matches: Type.Array(Type.Object({ row: Row, email: Type.String(), personId: Type.Integer() })),
  notListed: Type.Object({ issues: Type.Integer(), duplicates: Type.Integer(), matches: Type.Integer() }),
};
