// The parts of an import report that persons and mailing recipients share: the file as read, its columns, and the
// listed rows (issues, repeats within the file, CRM matches), so both routes document the same shapes.
import Type from "typebox";
import { literals, Nullable } from "./schemas.ts";

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
