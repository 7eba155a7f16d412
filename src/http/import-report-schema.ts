// What the person and recipient import routes share: the file as the raw body, their error shape, and the parts of an
// import report both have (the file as read, its columns, the listed rows), so both document the same shapes.
import type { FastifyInstance } from "fastify";
import Type from "typebox";
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
