// A document mailing of many letters for the crash and scale tests: persons with postal addresses written in bulk
// (every tenth without one of their own, at their company's), a static selection of them all, and the mailing with
// its list resolved. Works the same on SQLite and PostgreSQL.
import { sql } from "kysely";
import { expect } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createMailing } from "../../src/mailings/store.ts";

const CHUNK = 500;

/** The name printed on letter `i` (0-based, in insertion order); a company letter carries it on the attention line. */
export const letterName = (i: number) => ({ first: `Åse${i}`, last: `Øvrebø${i}` });

export async function aDocumentMailingOf(
  db: Db,
  count: number,
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
      docHeading: "Tilbud til [[customer.firstname]]",
      docOurRef: "BR-[[customer.id]]",
      content:
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

/**
 * Every delivery is generated with its page range, and the ranges tile pages 1..`pages` in print order without a gap
 * or an overlap. Returns the letters in print order, with the first name printed in each.
 */
export async function expectLettersTilePages(
  db: Db,
  mailingId: number,
  pages: number,
): Promise<Array<{ firstPage: number; firstName: string }>> {
  const rows = await db
    .selectFrom("deliveries as d")
    .innerJoin("persons as p", "p.id", "d.person_id")
    .select(["d.status", "d.first_page", "d.page_count", "p.first_name"])
    .where("d.mailing_id", "=", mailingId)
    .execute();
  const statuses = new Set(rows.map((r) => r.status));
  expect([...statuses]).toEqual(["generated"]);
  const letters = rows
    .map((r) => ({ first: Number(r.first_page), count: Number(r.page_count), name: r.first_name ?? "" }))
    .sort((a, b) => a.first - b.first);
  let next = 1;
  for (const letter of letters) {
    expect(letter.first, `the letter to ${letter.name} starts where the one before ended`).toBe(next);
    expect(letter.count).toBeGreaterThanOrEqual(1);
    next = letter.first + letter.count;
  }
  expect(next - 1).toBe(pages);
  return letters.map((l) => ({ firstPage: l.first, firstName: l.name }));
}
