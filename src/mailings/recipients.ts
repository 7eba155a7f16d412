// A mailing's recipients (SPEC §4): sources in order, resolved set-based in SQL into rows that are eligible or
// blocked with a reason. The Setup link comes first; if both a selection and a project are linked, only the
// selection's people are added (the seed's rule).

import { type Expression, sql } from "kysely";
import {
  type BlockReason,
  LEFT_OUT_REASONS,
  type LeftOutReason,
  type RecipientTally,
  type StoredBlockReason,
  tallyRecipients,
} from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import type { MailingType } from "../db/schema.ts";
import { refreshStatistics } from "../db/statistics.ts";
import { blockedAddresses } from "../deliveries/blocks.ts";
import { suppressedAmong } from "../privacy/suppression.ts";
import { projectPersonIds } from "../projects/store.ts";
import { selectionPersonIds } from "../selections/compile.ts";
import { readSettings } from "../settings/store.ts";
import { isoNow } from "../shared/clock.ts";
import { missingReference, notFound } from "../shared/errors.ts";
import { fillPostalAddresses } from "./postal-recipients.ts";

const SOURCE_STRIDE = 4_294_967_296; // 2^32: positions order by source first, then by id within the source
const COMPANY_OFFSET = 2_147_483_648; // company rows of a source sort after its persons

export type SourceKind = "selection" | "project" | "person" | "addresses" | "import";
export type PastedAddress = { email: string; name?: string | null };

type MailingForResolution = {
  id: number;
  type: MailingType;
  selection_id: number | null;
  project_id: number | null;
  subscription_type_id: number | null;
  opt_override_consent: number;
  opt_one_per_address: number;
  opt_include_companies: number;
  opt_prefer_company: number;
};

type ResolvedSource = {
  id: number | null;
  kind: SourceKind;
  refId: number | null;
  addresses: PastedAddress[];
};

/** The Setup link, then the sources added in step 4, in the order they were added. */
async function orderedSources(db: Db, mailing: MailingForResolution): Promise<ResolvedSource[]> {
  const sources: ResolvedSource[] = [];
  if (mailing.selection_id !== null)
    sources.push({ id: null, kind: "selection", refId: mailing.selection_id, addresses: [] });
  else if (mailing.project_id !== null)
    sources.push({ id: null, kind: "project", refId: mailing.project_id, addresses: [] });
  const rows = await db
    .selectFrom("mailing_sources")
    .selectAll()
    .where("mailing_id", "=", mailing.id)
    .orderBy("position")
    .orderBy("id")
    .execute();
  for (const row of rows)
    sources.push({
      id: row.id,
      kind: row.kind,
      refId: row.ref_id,
      addresses: row.addresses ? (JSON.parse(row.addresses) as PastedAddress[]) : [],
    });
  return sources;
}

const fullNameSql = sql<string>`trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, ''))`;

async function insertPersons(
  db: Db,
  mailingId: number,
  source: ResolvedSource,
  index: number,
  ids: Expression<number>,
  offset: number,
  now: string,
): Promise<void> {
  const base = index * SOURCE_STRIDE + offset;
  await sql`
    insert into mailing_recipients
      (mailing_id, position, person_id, company_id, email, email_lower, mobile, name, source_id, status, block_reason,
       created_at)
    select ${mailingId}, cast(${base} as bigint) + p.id, p.id, p.company_id, e.address, e.address_lower, p.mobile,
           ${fullNameSql}, ${source.id}, 'eligible', null, ${now}
    from persons p
    left join person_emails e on e.person_id = p.id and e.is_primary = 1
    where p.id in (${ids})`.execute(db);
}

async function insertSource(
  db: Db,
  mailing: MailingForResolution,
  source: ResolvedSource,
  index: number,
  now: string,
): Promise<void> {
  switch (source.kind) {
    case "selection": {
      await insertPersons(db, mailing.id, source, index, await selectionPersonIds(db, source.refId!), 0, now);
      if (mailing.opt_include_companies !== 1) return;
      // A listed company with an address gets the message; one without is replaced by its people.
      const listed = sql`select company_id from selection_companies where selection_id = ${source.refId}`;
      await sql`
        insert into mailing_recipients
          (mailing_id, position, person_id, company_id, email, email_lower, name, source_id, status, block_reason, created_at)
        select ${mailing.id}, cast(${index * SOURCE_STRIDE + COMPANY_OFFSET} as bigint) + c.id, null, c.id, c.email,
               lower(c.email), c.name, ${source.id}, 'eligible', null, ${now}
        from companies c where c.id in (${listed}) and c.email is not null and c.email <> ''`.execute(db);
      const withoutAddress = sql<number>`select p2.id from persons p2 join companies c2 on c2.id = p2.company_id
        where c2.id in (${listed}) and (c2.email is null or c2.email = '')`;
      await insertPersons(db, mailing.id, source, index, withoutAddress, COMPANY_OFFSET / 2, now);
      return;
    }
    case "project":
      await insertPersons(db, mailing.id, source, index, projectPersonIds(db, source.refId!), 0, now);
      return;
    case "person":
      await insertPersons(
        db,
        mailing.id,
        source,
        index,
        sql<number>`select cast(${source.refId} as integer)`,
        0,
        now,
      );
      return;
    case "addresses": {
      const rows = source.addresses.map((a, i) => ({
        mailing_id: mailing.id,
        position: index * SOURCE_STRIDE + i,
        person_id: null,
        company_id: null,
        email: a.email.trim(),
        email_lower: a.email.trim().toLowerCase(),
        name: a.name?.trim() || null,
        source_id: source.id,
        status: "eligible" as const,
        block_reason: null,
        created_at: now,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await db
          .insertInto("mailing_recipients")
          .values(rows.slice(i, i + 500))
          .execute();
      // A pasted address that belongs to a CRM person is that person: their consent and unsubscribes apply.
      await sql`
        update mailing_recipients set person_id = (
          select min(pe.person_id) from person_emails pe where pe.address_lower = mailing_recipients.email_lower)
        where mailing_id = ${mailing.id} and source_id = ${source.id} and person_id is null`.execute(db);
      await sql`
        update mailing_recipients set mobile = (select p.mobile from persons p where p.id = mailing_recipients.person_id)
        where mailing_id = ${mailing.id} and source_id = ${source.id} and person_id is not null`.execute(db);
      return;
    }
    case "import": {
      // A row whose address belongs to a CRM person is that person (consent, unsubscribes, company apply); the others
      // stay import-only recipients with the file's name and address, carrying the import's consent attestation.
      // An SMS mailing's rows are matched by mobile number (their e-mail, "" when the file had none, is optional).
      const personOfRow =
        mailing.type === "sms"
          ? sql`(select min(p.id) from persons p where p.mobile = r.mobile)`
          : sql`(select min(pe.person_id) from person_emails pe where pe.address_lower = r.email_lower)`;
      await sql`
        insert into mailing_recipients
          (mailing_id, position, person_id, company_id, email, email_lower, mobile, name, source_id, status,
           block_reason, created_at)
        select ${mailing.id}, cast(${index * SOURCE_STRIDE} as bigint) + r.sheet_row, ${personOfRow}, null,
               nullif(r.email, ''), nullif(r.email_lower, ''), r.mobile, r.name, ${source.id}, 'eligible', null, ${now}
        from recipient_import_rows r where r.import_id = ${source.refId}`.execute(db);
      await sql`
        update mailing_recipients set
          company_id = (select p.company_id from persons p where p.id = mailing_recipients.person_id),
          mobile = coalesce(mobile, (select p.mobile from persons p where p.id = mailing_recipients.person_id)),
          name = coalesce(name, (select trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, ''))
                                 from persons p where p.id = mailing_recipients.person_id))
        where mailing_id = ${mailing.id} and source_id = ${source.id} and person_id is not null`.execute(db);
      return;
    }
  }
}

async function block(
  db: Db,
  mailingId: number,
  reason: StoredBlockReason,
  condition: ReturnType<typeof sql>,
): Promise<void> {
  await sql`update mailing_recipients set status = 'blocked', block_reason = ${reason}
    where mailing_id = ${mailingId} and status = 'eligible' and (${condition})`.execute(db);
}

/**
 * An imported or pasted address without a CRM person that is on the suppression list (an erased person's, or one
 * that unsubscribed or complained) is blocked as a blocked address: the list keeps what an erasure took from the
 * plain-text blocks. A CRM person's suppressed address is handled by their consent, which says withdrawn until new
 * consent is recorded. The list holds keyed hashes, so the rows are read and hashed here, a chunk at a time.
 */
async function blockSuppressed(db: Db, mailingId: number): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom("mailing_recipients")
      .select(["id", "email_lower"])
      .where("mailing_id", "=", mailingId)
      .where("status", "=", "eligible")
      .where("person_id", "is", null)
      .where("email_lower", "is not", null)
      .where("id", ">", after)
      .orderBy("id")
      .limit(2000)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    const suppressed = await suppressedAmong(
      db,
      rows.map((r) => r.email_lower!),
    );
    const ids = rows.filter((r) => suppressed.has(r.email_lower!)).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500)
      await db
        .updateTable("mailing_recipients")
        .set({ status: "blocked", block_reason: "blocked-address" })
        .where("id", "in", ids.slice(i, i + 500))
        .execute();
  }
}

/**
 * Rows that repeat an earlier row's person, company or address (in source order): all but the first. A window
 * function, so a list of 100,000 costs a sort, not a comparison of every row with every earlier one.
 */
function laterDuplicates(
  mailingId: number,
  column: "person_id" | "company_id" | "email_lower" | "mobile" | "postal_key",
  amongEligible: boolean,
) {
  return sql`id in (select id from (
      select id, row_number() over (partition by ${sql.ref(column)} order by position, id) as nth
      from mailing_recipients
      where mailing_id = ${mailingId} and ${sql.ref(column)} is not null ${amongEligible ? sql`and status = 'eligible'` : sql``}
    ) ranked where nth > 1)`;
}

/**
 * Rebuilds the mailing's recipient list from its sources, then applies SPEC §4's rules in order; first rule wins.
 * With `writeTo`, the rows go to that (scratch) mailing instead, and the mailing's own list is left as it is: how a
 * sent mailing learns who its sources hold now without touching the rows its deliveries hang on.
 */
export async function resolveRecipients(
  db: Db,
  mailingId: number,
  options: { writeTo?: number } = {},
): Promise<void> {
  const mailing = await db
    .selectFrom("mailings")
    .select([
      "id",
      "type",
      "selection_id",
      "project_id",
      "subscription_type_id",
      "opt_override_consent",
      "opt_one_per_address",
      "opt_include_companies",
      "opt_prefer_company",
    ])
    .where("id", "=", mailingId)
    .executeTakeFirstOrThrow();
  const { consentFilter } = await readSettings(db);
  const now = isoNow();
  const sources = await orderedSources(db, mailing);
  const target = options.writeTo ?? mailingId;
  const writeMailing = { ...mailing, id: target };
  const purpose = await db
    .selectFrom("consent_purposes")
    .select("id")
    .where("key", "=", "e-marketing")
    .executeTakeFirstOrThrow();
  const activeConsent = sql`select person_id from person_consents where purpose_id = ${purpose.id} and legal_basis <> 'withdrawn'`;
  const withdrawnConsent = sql`select person_id from person_consents where purpose_id = ${purpose.id} and legal_basis = 'withdrawn'`;
  const typeId = mailing.subscription_type_id;

  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("mailing_recipients").where("mailing_id", "=", target).execute();
    for (const [index, source] of sources.entries())
      await insertSource(trx as unknown as Db, writeMailing, source, index, now);
    const t = trx as unknown as Db;
    // The rules below are planned on the list just written, not on what the table held before.
    await refreshStatistics(t, ["mailing_recipients"]);
    // The channel's address: an e-mail address, or for SMS a mobile number (stored in E.164, normalised with the
    // default country when the person or import row was written; anything else is refused here).
    // A letter goes to the person's postal address, else their company's (SPEC §13).
    const sms = mailing.type === "sms";
    const letter = mailing.type === "document";
    const addressColumn = sms ? "mobile" : letter ? "postal_key" : "email_lower";
    if (sms) {
      await block(t, target, "no-mobile", sql`mobile is null or mobile = ''`);
      await block(t, target, "invalid-mobile", sql`mobile not like '+%'`);
    } else if (letter) {
      await fillPostalAddresses(t, target);
      await block(t, target, "no-postal-address", sql`postal_address is null`);
    } else await block(t, target, "no-email", sql`email is null or email = ''`);
    // The same person through two sources gets one message: the first row keeps it.
    await block(t, target, "duplicate", laterDuplicates(target, "person_id", false));
    // Blocked and complained addresses are e-mail addresses and numbers; a letter's address is never blocked.
    if (!letter) {
      await block(
        t,
        target,
        "complained",
        sql`${sql.ref(addressColumn)} in (${blockedAddresses("complained")})`,
      );
      await block(t, target, "blocked-address", sql`${sql.ref(addressColumn)} in (${blockedAddresses()})`);
    }
    if (!sms && !letter) await blockSuppressed(t, target);
    if (typeId !== null)
      await block(
        t,
        target,
        "unsubscribed",
        sql`person_id in (select person_id from person_subscriptions where type_id = ${typeId} and status = 'unsubscribed')`,
      );
    // E-marketing consent governs electronic messages (ekomloven § 15); a printed letter is not one, so only an
    // unsubscribe from its type and the rules below keep someone out of a document mailing.
    else if (!letter) await block(t, target, "consent-withdrawn", sql`person_id in (${withdrawnConsent})`);
    await block(
      t,
      target,
      "former-employee",
      sql`person_id in (select id from persons where former_employee = 1)`,
    );
    if (consentFilter && mailing.opt_override_consent !== 1 && !letter) {
      // Only CRM persons need consent here: imported and pasted addresses carry the attestation made when adding them.
      const allowed =
        typeId !== null
          ? sql`person_id in (${activeConsent}) or person_id in (select person_id from person_subscriptions
              where type_id = ${typeId} and status = 'subscribed')`
          : sql`person_id in (${activeConsent})`;
      await block(
        t,
        target,
        "consent-withdrawn",
        sql`person_id is not null and not (${allowed}) and person_id in (${withdrawnConsent})`,
      );
      await block(
        t,
        target,
        typeId !== null ? "no-subscription" : "no-consent",
        sql`person_id is not null and not (${allowed})`,
      );
    }
    if (mailing.opt_prefer_company === 1)
      await block(t, target, "duplicate", laterDuplicates(target, "company_id", true));
    // SMS: one message per number, always (two people sharing a phone get one text).
    if (mailing.opt_one_per_address === 1 || sms)
      await block(t, target, "duplicate", laterDuplicates(target, addressColumn, true));
    if (target === mailingId) {
      await trx
        .updateTable("mailings")
        .set({ recipients_resolved_at: now })
        .where("id", "=", mailingId)
        .execute();
      await storeRecipientCounts(t, mailingId);
    }
  });
}

/**
 * Keeps the list's eligible and blocked counts beside the statistics counters: counting a million rows on every
 * statistics request is what the rollups are there to avoid. Called whenever the list's statuses change.
 */
export async function storeRecipientCounts(db: Db, mailingId: number): Promise<void> {
  await db
    .deleteFrom("mailing_counters")
    .where("mailing_id", "=", mailingId)
    .where("name", "in", ["recipients:eligible", "recipients:blocked", "recipients:left-out"])
    .execute();
  // The left out are stored as blocked rows with a left-out reason; counted apart, so "blocked" is the list's.
  const leftOut = sql.join(LEFT_OUT_REASONS.map((r) => sql.lit(r)));
  await sql`
    insert into mailing_counters (mailing_id, name, shard, value)
    select ${mailingId}, c.name, 0, count(*)
    from (
      select case when block_reason in (${leftOut}) then 'recipients:left-out' else 'recipients:' || status end as name
      from mailing_recipients where mailing_id = ${mailingId}
    ) c
    group by c.name`.execute(db);
}

export type RecipientRow = {
  id: number;
  personId: number | null;
  companyId: number | null;
  email: string | null;
  mobile: string | null;
  name: string | null;
  /** Document mailings: the address block the letter goes to, line by line; null for other mailings. */
  postalAddress: string | null;
  /** recipient (`eligible`), blocked, or left out (listed only when asked for: `status: "left-out"`). */
  status: "eligible" | "blocked" | "left-out";
  blockReason: StoredBlockReason | null;
};

export type RecipientCounts = Omit<RecipientTally, "blockedByReason" | "blocked"> & {
  blocked: Partial<Record<BlockReason, number>>;
  blockedTotal: number;
};

/** The list's counts by the one definition (block-reasons.ts): what Confirm and the Recipients step show. */
export async function recipientCounts(db: Db, mailingId: number): Promise<RecipientCounts> {
  const rows = await db
    .selectFrom("mailing_recipients")
    .select(["status", "block_reason", (eb) => eb.fn.countAll<number>().as("n")])
    .where("mailing_id", "=", mailingId)
    .groupBy(["status", "block_reason"])
    .execute();
  const { blockedByReason, blocked, ...rest } = tallyRecipients(
    rows.map((r) => ({ status: r.status, reason: r.block_reason, n: r.n })),
  );
  return { ...rest, blocked: blockedByReason, blockedTotal: blocked };
}

/** The list as the Recipients step shows it: eligible and blocked rows in source order; people without an address are left out. */
/**
 * The recipient a preview, test or check is made for: the one asked for, else the first eligible one with an address
 * of the mailing's channel (an e-mail address, or a mobile number for SMS). Null when the list has none.
 */
export async function pickPreviewRecipient(
  db: Db,
  mailingId: number,
  address: "email" | "mobile",
  recipientId?: number,
): Promise<{ id: number; name: string | null; email: string | null; mobile: string | null } | null> {
  let query = db
    .selectFrom("mailing_recipients")
    .select(["id", "name", "email", "mobile"])
    .where("mailing_id", "=", mailingId)
    .where(address, "is not", null);
  query = recipientId
    ? query.where("id", "=", recipientId)
    : query.where("status", "=", "eligible").orderBy("position");
  const row = await query.executeTakeFirst();
  if (!row && recipientId) throw notFound("recipient", recipientId);
  return row ?? null;
}

export async function listRecipients(
  db: Db,
  mailingId: number,
  filter: {
    status?: "eligible" | "blocked" | "left-out" | undefined;
    reason?: StoredBlockReason | undefined;
  },
  page: { limit: number; offset: number },
) {
  const { type } = await db
    .selectFrom("mailings")
    .select("type")
    .where("id", "=", mailingId)
    .executeTakeFirstOrThrow();
  const document = type === "document";
  // The list is the recipients and the blocked; the left out are only shown when asked for by name (block-reasons.ts).
  const leftOut =
    filter.status === "left-out" ||
    (filter.reason !== undefined && LEFT_OUT_REASONS.includes(filter.reason as LeftOutReason));
  let base = db
    .selectFrom("mailing_recipients")
    .where("mailing_id", "=", mailingId)
    .where((eb) =>
      leftOut
        ? eb("block_reason", "in", LEFT_OUT_REASONS)
        : eb.or([eb("block_reason", "is", null), eb("block_reason", "not in", LEFT_OUT_REASONS)]),
    );
  if (filter.status && filter.status !== "left-out") base = base.where("status", "=", filter.status);
  if (filter.reason) base = base.where("block_reason", "=", filter.reason);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base
      .select([
        "id",
        "person_id",
        "company_id",
        "email",
        "mobile",
        "name",
        "postal_address",
        "status",
        "block_reason",
      ])
      .orderBy("position")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  const items: RecipientRow[] = rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    companyId: r.company_id,
    email: r.email,
    mobile: r.mobile,
    name: r.name,
    postalAddress: document ? r.postal_address : null,
    status: leftOut ? "left-out" : r.status,
    blockReason: r.block_reason,
  }));
  return { items, total: Number(count.n), limit: page.limit, offset: page.offset };
}

export async function addSource(
  db: Db,
  mailingId: number,
  input: { kind: SourceKind; refId?: number; addresses?: PastedAddress[] },
): Promise<number> {
  if (input.kind === "selection" || input.kind === "project" || input.kind === "person") {
    const table =
      input.kind === "selection" ? "selections" : input.kind === "project" ? "projects" : "persons";
    const found = await db.selectFrom(table).select("id").where("id", "=", input.refId!).executeTakeFirst();
    if (!found) throw missingReference("refId", input.kind, input.refId!);
  }
  const last = await db
    .selectFrom("mailing_sources")
    .select((eb) => eb.fn.max("position").as("p"))
    .where("mailing_id", "=", mailingId)
    .executeTakeFirst();
  const row = await db
    .insertInto("mailing_sources")
    .values({
      mailing_id: mailingId,
      kind: input.kind,
      ref_id: input.refId ?? null,
      addresses: input.addresses ? JSON.stringify(input.addresses) : null,
      position: Number(last?.p ?? 0) + 1,
      created_at: isoNow(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listSources(db: Db, mailingId: number) {
  const rows = await db
    .selectFrom("mailing_sources as s")
    .leftJoin("selections as sel", (j) => j.onRef("sel.id", "=", "s.ref_id").on("s.kind", "=", "selection"))
    .leftJoin("projects as pr", (j) => j.onRef("pr.id", "=", "s.ref_id").on("s.kind", "=", "project"))
    .leftJoin("persons as p", (j) => j.onRef("p.id", "=", "s.ref_id").on("s.kind", "=", "person"))
    .leftJoin("recipient_imports as ri", (j) => j.onRef("ri.id", "=", "s.ref_id").on("s.kind", "=", "import"))
    .select([
      "s.id",
      "s.kind",
      "s.ref_id",
      "s.addresses",
      "sel.name as selection_name",
      "pr.name as project_name",
      "ri.file_name as import_file",
      "ri.rows as import_rows",
    ])
    .select(fullNameSql.as("person_name"))
    .where("s.mailing_id", "=", mailingId)
    .orderBy("s.position")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    refId: r.ref_id,
    label:
      r.kind === "selection"
        ? r.selection_name
        : r.kind === "project"
          ? r.project_name
          : r.kind === "person"
            ? r.person_name
            : r.kind === "import"
              ? `${r.import_file ?? "file"} (${Number(r.import_rows ?? 0)} rows)`
              : `${(JSON.parse(r.addresses ?? "[]") as unknown[]).length} addresses`,
  }));
}

export async function removeSource(db: Db, mailingId: number, sourceId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("mailing_sources")
      .where("mailing_id", "=", mailingId)
      .where("id", "=", sourceId)
      .returning(["kind", "ref_id"])
      .executeTakeFirst();
    // An imported file's rows belong to its source alone: they go with it.
    if (removed?.kind === "import" && removed.ref_id !== null)
      await trx
        .deleteFrom("recipient_imports")
        .where("id", "=", removed.ref_id)
        .where("mailing_id", "=", mailingId)
        .execute();
    return removed !== undefined;
  });
}
