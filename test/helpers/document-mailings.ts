// A document mailing of many letters for the crash and scale tests: persons with postal addresses written in bulk
// (every tenth without one of their own, at their company's), a static selection of them all, and the mailing with
// its list resolved. Works the same on SQLite and PostgreSQL.
import { sql } from "kysely";
import type { Db } from "../../src/db/connect.ts";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createMailing } from "../../src/mailings/store.ts";

const CHUNK = 500;

/** The name printed on letter `i` (0-based, in insertion order); a company letter carries it on the attention line. */
export const letterName = (i: number) => ({ first: `Åse${i}`, last: `Øvrebø${i}` });

export async function aDocumentMailingOf(
  db: Db,
  count: number,
  letter: { heading?: string; content?: string } = {},
): Promise<{ mailingId: number; resolveMs: number }> {
  const now = new Date().toISOString();
  // One company per ten people, each at its own address: a letter per person still (one letter per address is off).
  const companies: number[] = [];
  for (let from = 0; from < count; from += CHUNK * 10) {
    const rows = [];
    for (let i = from; i < Math.min(count, from + CHUNK * 10); i += 10)
      rows.push({
        name: `Firma ${i} AS`,
        name_lower: `firma ${i} as`,
        street: `Bryggen ${i}`,
        postcode: "5003",
        city: "Bergen",
        created_at: now,
        updated_at: now,
      });
    const ids = await db.insertInto("companies").values(rows).returning("id").execute();
    companies.push(...ids.map((r) => r.id));
  }
  for (let from = 0; from < count; from += CHUNK) {
    const rows = [];
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const { first, last } = letterName(i);
      const atCompany = i % 10 === 0;
      rows.push({
        first_name: first,
        last_name: last,
        search_name: `${first} ${last}`.toLowerCase(),
        company_id: companies[Math.floor(i / 10)]!,
        street: atCompany ? null : `Storgata ${i}`,
        postcode: atCompany ? null : String(1000 + (i % 9000)).padStart(4, "0"),
        city: atCompany ? null : "Oslo",
        former_employee: 0,
        created_at: now,
        updated_at: now,
      });
    }
    await db.insertInto("persons").values(rows).execute();
  }
  const selection = await db
    .insertInto("selections")
    .values({ name: "Alle med adresse", kind: "static", created_at: now, updated_at: now } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  await sql`insert into selection_members (selection_id, person_id, added_at)
    select ${selection.id}, id, ${now} from persons`.execute(db);
  const mailing = await createMailing(
    db,
    {
      name: "Brev til alle",
      type: "document",
      docHeading: letter.heading ?? "Tilbud til [[customer.firstname]]",
      docOurRef: "BR-[[customer.id]]",
      content:
        letter.content ??
        "<p>Hei [[customer.firstname]], vi har et <strong>tilbud</strong> til deg.</p><ul><li>Første punkt</li><li>Andre punkt</li></ul>",
      options: { overrideConsent: true },
    },
    null,
  );
  await addSource(db, mailing.id, { kind: "selection", refId: selection.id });
  const started = performance.now();
  await resolveRecipients(db, mailing.id);
  return { mailingId: mailing.id, resolveMs: performance.now() - started };
}

export type DocumentRow = {
  id: number;
  status: string;
  file_name: string | null;
  bytes: number | null;
  pages: number | null;
  runs: number;
  letters_done: number;
};

export async function documentRows(db: Db, mailingId: number): Promise<DocumentRow[]> {
  const rows = await db
    .selectFrom("document_files")
    .select(["id", "status", "file_name", "bytes", "pages", "runs", "letters_done"])
    .where("mailing_id", "=", mailingId)
    .execute();
  return rows.map((r) => ({
    ...r,
    bytes: r.bytes === null ? null : Number(r.bytes),
    runs: Number(r.runs),
    letters_done: Number(r.letters_done),
  }));
}

/** The mailing's letters in page order: where each starts, how many pages it takes, and the first name printed in it. */
export async function letterPages(
  db: Db,
  mailingId: number,
): Promise<Array<{ status: string; firstPage: number; pageCount: number; firstName: string }>> {
  const rows = await db
    .selectFrom("deliveries as d")
    .innerJoin("persons as p", "p.id", "d.person_id")
    .select(["d.status", "d.first_page", "d.page_count", "p.first_name"])
    .where("d.mailing_id", "=", mailingId)
    .execute();
  return rows
    .map((r) => ({
      status: r.status,
      firstPage: Number(r.first_page),
      pageCount: Number(r.page_count),
      firstName: r.first_name ?? "",
    }))
    .sort((a, b) => a.firstPage - b.firstPage);
}

/**
 * What is wrong with the letters' page ranges: each must be generated and start where the one before ended, from
 * page 1 to `pages`, without a gap or an overlap. Empty when they tile the document.
 */
export function tilingProblems(
  letters: Array<{ status: string; firstPage: number; pageCount: number; firstName: string }>,
  pages: number,
): string[] {
  const problems: string[] = [];
  let next = 1;
  for (const l of letters) {
    if (l.status !== "generated") problems.push(`the letter to ${l.firstName} is ${l.status}`);
    if (l.firstPage !== next || !(l.pageCount >= 1))
      problems.push(
        `the letter to ${l.firstName} has pages ${l.firstPage}+${l.pageCount}, expected from ${next}`,
      );
    next = l.firstPage + l.pageCount;
  }
  if (next - 1 !== pages) problems.push(`the letters end on page ${next - 1} of ${pages}`);
  return problems.slice(0, 10);
}
