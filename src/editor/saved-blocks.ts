// Saved blocks of the visual e-mail editor (a header, a footer, any section): MJML that every user of the editor
// sees and drops into a message. The one writer of `saved_blocks`.
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { type FieldProblem, invalid, notFound } from "../shared/errors.ts";

export type SavedBlock = {
  id: number;
  name: string;
  mjml: string;
  /** The name of the user who saved it; null when saved with no user or the user is gone. */
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
};

/** A block is one or more `mj-section`/`mj-wrapper` elements, as the editor's block manager takes them. */
function blockProblems(input: { name: string; mjml: string }) {
  const problems: FieldProblem[] = [];
  if (!input.name.trim()) problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  if (!/^\s*<mj-(section|wrapper|hero|raw)[\s>]/.test(input.mjml))
    problems.push({
      field: "mjml",
      message: "must start with an mj-section, mj-wrapper, mj-hero or mj-raw",
      kind: "starts-with",
      params: { values: "mj-section, mj-wrapper, mj-hero, mj-raw" },
    });
  return problems;
}

export async function listSavedBlocks(db: Db): Promise<SavedBlock[]> {
  const rows = await withCreator(db).orderBy("saved_blocks.name").orderBy("saved_blocks.id").execute();
  return rows.map(toBlock);
}

function withCreator(db: Db) {
  return db
    .selectFrom("saved_blocks")
    .leftJoin("users", "users.id", "saved_blocks.created_by")
    .select([
      "saved_blocks.id",
      "saved_blocks.name",
      "saved_blocks.mjml",
      "saved_blocks.created_at",
      "saved_blocks.updated_at",
      "users.name as created_by_name",
    ]);
}

function toBlock(r: {
  id: number;
  name: string;
  mjml: string;
  created_at: string;
  updated_at: string;
  created_by_name: string | null;
}): SavedBlock {
  return {
    id: r.id,
    name: r.name,
    mjml: r.mjml,
    createdBy: r.created_by_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

async function getSavedBlock(db: Db, id: number): Promise<SavedBlock> {
  const row = await withCreator(db).where("saved_blocks.id", "=", id).executeTakeFirst();
  if (!row) throw notFound("saved block", id);
  return toBlock(row);
}

export async function saveBlock(
  db: Db,
  input: { name: string; mjml: string },
  userId: number | null,
): Promise<SavedBlock> {
  const problems = blockProblems(input);
  if (problems.length > 0) throw invalid(problems);
  const now = isoNow();
  const row = await db
    .insertInto("saved_blocks")
    .values({
      name: input.name.trim(),
      mjml: input.mjml,
      created_by: userId,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return getSavedBlock(db, row.id);
}

/** Gives a saved block another name; its MJML stays. */
export async function renameSavedBlock(db: Db, id: number, name: string): Promise<SavedBlock> {
  if (!name.trim()) throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  const result = await db
    .updateTable("saved_blocks")
    .set({ name: name.trim(), updated_at: isoNow() })
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound("saved block", id);
  return getSavedBlock(db, id);
}

export async function deleteSavedBlock(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom("saved_blocks").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("saved block", id);
}
