// Saved blocks of the visual e-mail editor (a header, a footer, any section): MJML that every user of the editor
// sees and drops into a message. The one writer of `saved_blocks`.
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { type FieldProblem, invalid, notFound } from "../shared/errors.ts";

export type SavedBlock = { id: number; name: string; mjml: string; updatedAt: string };

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
  const rows = await db
    .selectFrom("saved_blocks")
    .select(["id", "name", "mjml", "updated_at"])
    .orderBy("name")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, mjml: r.mjml, updatedAt: r.updated_at }));
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
  return { id: row.id, name: input.name.trim(), mjml: input.mjml, updatedAt: now };
}

export async function deleteSavedBlock(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom("saved_blocks").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("saved block", id);
}
