// Set-based generators for the tracking benchmarks: one sent mailing with its links, recipients and deliveries, its
// events, and the rollups src/track/record.ts keeps (counters, hourly buckets, link clickers, first open and click),
// derived from the events with the same rules. Rows are made by the database (generate_series on PostgreSQL, a
// recursive CTE on SQLite) so a million deliveries take seconds, not a round trip each.

import { type RawBuilder, sql } from "kysely";
import type { Db, DbHandle, Dialect } from "../src/db/connect.ts";
import { storeRecipientCounts } from "../src/mailings/recipients.ts";
import { SHARDS } from "../src/track/counters.ts";

/** A derived table `s(i)` counting from..to. */
export function series(dialect: Dialect, from: number, to: number): RawBuilder<unknown> {
  return dialect === "postgres"
    ? sql`generate_series(${sql.lit(from)}::bigint, ${sql.lit(to)}::bigint) as s(i)`
    : sql`(with recursive n(i) as (select ${sql.lit(from)} union all select i + 1 from n where i < ${sql.lit(to)}) select i from n) as s`;
}

/** An ISO-8601 UTC text (as Date.toISOString writes it) for a Unix time in seconds given as an SQL expression. */
export function isoAt(dialect: Dialect, seconds: RawBuilder<unknown>): RawBuilder<string> {
  return dialect === "postgres"
    ? sql`to_char(to_timestamp(${seconds}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${seconds}, 'unixepoch')`;
}

const BLOCK_REASONS = ["no-consent", "unsubscribed", "blocked-address", "duplicate", "no-email"] as const;

export type SeededMailing = {
  mailingId: number;
  linkIds: number[];
  /** Delivery n (1-based) has id deliveryBase + n. */
  deliveryBase: number;
  deliveries: number;
  /** Unix seconds: when sending started; delivery n went out at start + n · spread / deliveries. */
  startedAt: number;
  sendSpreadSeconds: number;
};

export type MailingShape = {
  deliveries: number;
  blocked: number;
  links: number;
  startedAt: number;
  sendSpreadSeconds: number;
  /** Every delivery sent (the click benchmark), or a realistic mix of failed, bounced, complained and unknown. */
  mixedStatuses: boolean;
  chunk?: number;
  progress?: (line: string) => void;
};

/** The status a delivery n has in the mixed shape; the same rules, in SQL, as `statusSql`. */
export function statusOf(n: number): "failed" | "bounced" | "complained" | "unknown" | "sent" {
  if (n % 500 === 0) return "failed";
  if (n % 40 === 1) return "bounced";
  if (n % 2000 === 3) return "complained";
  if (n % 5000 === 7) return "unknown";
  return "sent";
}
const statusSql = (n: RawBuilder<unknown>) =>
  sql`case when ${n} % 500 = 0 then 'failed' when ${n} % 40 = 1 then 'bounced' when ${n} % 2000 = 3 then 'complained'
    when ${n} % 5000 = 7 then 'unknown' else 'sent' end`;

async function maxId(db: Db, table: "deliveries" | "mailing_recipients"): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max<number | null>("id").as("m"))
    .executeTakeFirstOrThrow();
  return Number(row.m ?? 0);
}

async function fixSequence(handle: DbHandle, table: string): Promise<void> {
  // Explicit ids leave a PostgreSQL serial behind; the server inserts more rows later.
  if (handle.dialect === "postgres")
    await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(
      handle.db,
    );
}

/** A finished mailing with its tracked links, eligible and blocked recipients and one delivery per eligible one. */
export async function seedMailing(handle: DbHandle, shape: MailingShape): Promise<SeededMailing> {
  const { db, dialect } = handle;
  const chunk = shape.chunk ?? 100_000;
  const log = shape.progress ?? (() => {});
  const startIso = new Date(shape.startedAt * 1000).toISOString();
  const mailing = await db
    .insertInto("mailings")
    .values({
      name: "Benchmark",
      type: "email",
      status: "finished",
      subject: "Nyheter fra Fjordlys",
      from_name: "Fjordlys",
      from_address: "post@fjordlys.example",
      content: "<p>Benchmark</p>",
      content_format: "html",
      from_mode: "fixed",
      track_links: "all",
      track_opens: 1,
      opt_override_consent: 0,
      opt_one_per_address: 1,
      opt_refresh_on_send: 0,
      opt_include_companies: 0,
      opt_prefer_company: 0,
      utm_source: "utsend",
      utm_campaign: "benchmark",
      recipients_resolved_at: startIso,
      created_at: startIso,
      updated_at: startIso,
      started_at: startIso,
      finished_at: new Date((shape.startedAt + shape.sendSpreadSeconds) * 1000).toISOString(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const links = await db
    .insertInto("tracked_links")
    .values(
      Array.from({ length: shape.links }, (_, i) => ({
        mailing_id: mailing.id,
        url: `https://fjordlys.example/${i === 0 ? "tilbud" : `p/${i}`}`,
        has_merge_fields: 0 as const,
        position: i,
        clicks: 0,
        unique_clickers: 0,
        flagged_clicks: 0,
        test_clicks: 0,
        created_at: startIso,
      })),
    )
    .returning("id")
    .execute();

  const recipientBase = await maxId(db, "mailing_recipients");
  const deliveryBase = await maxId(db, "deliveries");
  const total = shape.deliveries + shape.blocked;
  const n = sql`s.i`;
  const name = sql`'Mottaker ' || s.i`;
  const email = sql`'m' || s.i || '@example.no'`;
  const reason = sql`case (s.i % ${sql.lit(BLOCK_REASONS.length)}) ${sql.join(
    BLOCK_REASONS.map((r, k) => sql`when ${sql.lit(k)} then ${sql.lit(r)}`),
    sql` `,
  )} end`;
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await sql`insert into mailing_recipients (id, mailing_id, position, email, email_lower, name, status, block_reason, created_at)
      select ${sql.lit(recipientBase)} + s.i, ${sql.lit(mailing.id)}, s.i, ${email}, ${email}, ${name},
        case when s.i > ${sql.lit(shape.deliveries)} then 'blocked' else 'eligible' end,
        case when s.i > ${sql.lit(shape.deliveries)} then ${reason} end, ${sql.lit(startIso)}
      from ${series(dialect, from, to)}`.execute(db);
    log(`recipients ${to.toLocaleString("en")} / ${total.toLocaleString("en")}`);
  }
  const sentAt = isoAt(
    dialect,
    sql`${sql.lit(shape.startedAt)} + ${n} * ${sql.lit(shape.sendSpreadSeconds)} / ${sql.lit(shape.deliveries)}.0`,
  );
  const status = shape.mixedStatuses ? statusSql(n) : sql`'sent'`;
  for (let from = 1; from <= shape.deliveries; from += chunk) {
    const to = Math.min(shape.deliveries, from + chunk - 1);
    await sql`insert into deliveries (id, mailing_id, recipient_id, attempt, address, address_key, status, message_id,
        tries, next_try_at, last_reply, bounce_kind, sent_at, created_at, updated_at)
      select ${sql.lit(deliveryBase)} + s.i, ${sql.lit(mailing.id)}, ${sql.lit(recipientBase)} + s.i, 1, ${email}, ${email},
        ${status}, 'm' || ${sql.lit(mailing.id)} || '.r' || s.i || '.a1@fjordlys.example', 1, ${sql.lit(startIso)},
        case when ${status} = 'failed' then '550 5.1.1 user unknown' when ${status} = 'unknown' then 'connection lost after DATA' else '250 2.0.0 OK' end,
        case when ${status} = 'bounced' then (case when s.i % 80 = 1 then 'hard' else 'soft' end) end,
        case when ${status} in ('failed', 'unknown') then null else ${sentAt} end, ${sql.lit(startIso)}, ${sql.lit(startIso)}
      from ${series(dialect, from, to)}`.execute(db);
    log(`deliveries ${to.toLocaleString("en")} / ${shape.deliveries.toLocaleString("en")}`);
  }
  await fixSequence(handle, "mailing_recipients");
  await fixSequence(handle, "deliveries");
  // As resolving the list leaves them.
  await storeRecipientCounts(db, mailing.id);
  return {
    mailingId: mailing.id,
    linkIds: links.map((l) => l.id),
    deliveryBase,
    deliveries: shape.deliveries,
    startedAt: shape.startedAt,
    sendSpreadSeconds: shape.sendSpreadSeconds,
  };
}

/**
 * The events of the mixed shape, `total` in all: `sent` for every accepted delivery, `failed`, `bounced`, `complained`,
 * unsubscribes, human clicks on 1–3 links by a fifth of the delivered (some clicking again an hour later), a link
 * scanner clicking every link seconds after delivery for 2 % (half of whom click for real later), and opens
 * (one in twelve from a privacy proxy) spread over three days to fill up the total.
 */
export async function seedEvents(
  handle: DbHandle,
  m: SeededMailing,
  total: number,
  progress: (line: string) => void,
  chunk = 100_000,
): Promise<void> {
  const { db, dialect } = handle;
  const L = m.linkIds.length;
  // As bigint: n · 3600 passes PostgreSQL's integer range at a million deliveries.
  const n = sql`(cast(d.id as bigint) - ${sql.lit(m.deliveryBase)})`;
  const sentSec = sql`(${sql.lit(m.startedAt)} + ${n} * ${sql.lit(m.sendSpreadSeconds)} / ${sql.lit(m.deliveries)}.0)`;
  const at = (offset: RawBuilder<unknown>) => isoAt(dialect, sql`${sentSec} + ${offset}`);
  const linkOf = (k: RawBuilder<unknown>) =>
    sql`case (${k}) % ${sql.lit(L)} ${sql.join(
      m.linkIds.map((id, i) => sql`when ${sql.lit(i)} then ${sql.lit(id)}`),
      sql` `,
    )} end`;
  const delivered = sql`d.status in ('sent', 'complained')`;
  const js = sql`(${sql.join(
    Array.from({ length: L }, (_, j) => sql`select ${sql.lit(j)} as j`),
    sql` union all `,
  )}) as js`;
  const cols = sql`(mailing_id, delivery_id, person_id, kind, link_id, detail, ua_class, ip, flagged, is_test, created_at)`;
  const range = (from: number, to: number) =>
    sql`d.mailing_id = ${sql.lit(m.mailingId)} and d.id between ${sql.lit(m.deliveryBase + from)} and ${sql.lit(m.deliveryBase + to)}`;
  const passes: Array<[string, (from: number, to: number) => RawBuilder<unknown>]> = [
    [
      "sent, failed, bounced, complained, unsubscribed",
      (from, to) => sql`insert into events ${cols}
        select d.mailing_id, d.id, d.person_id, k.kind, null,
          case k.kind when 'failed' then d.last_reply when 'bounced' then d.bounce_kind || ': 550 5.1.1 mailbox unavailable'
            when 'complained' then 'abuse' when 'unsubscribed' then 'one-click' end,
          null, null, 0, 0,
          case k.kind when 'sent' then ${at(sql`0`)} when 'failed' then ${at(sql`0`)} when 'bounced' then ${at(sql`300`)}
            when 'complained' then ${at(sql`7200`)} else ${at(sql`3600 + (${n} % 86400)`)} end
        from deliveries d
        join (select 'sent' as kind union all select 'failed' union all select 'bounced' union all select 'complained'
          union all select 'unsubscribed') as k
          on (k.kind = 'sent' and d.status in ('sent', 'bounced', 'complained'))
          or (k.kind = 'failed' and d.status = 'failed') or (k.kind = 'bounced' and d.status = 'bounced')
          or (k.kind = 'complained' and d.status = 'complained')
          or (k.kind = 'unsubscribed' and ${delivered} and ${n} % 250 = 17)
        where ${range(from, to)}`,
    ],
    [
      "human clicks",
      (from, to) => sql`insert into events ${cols}
        select d.mailing_id, d.id, d.person_id, 'clicked', ${linkOf(sql`${n} + js.j`)}, null,
          case when ${n} % 3 = 0 then 'mobile' else 'desktop' end, '192.0.2.0', 0, 0,
          ${at(sql`600 + (${n} * 7) % 86400 + js.j * 45`)}
        from deliveries d cross join ${js}
        where ${range(from, to)} and ${delivered}
          and ((${n} % 10 < 2 and js.j < 1 + ${n} % 3) or (${n} % 100 = 5 and js.j = 0))`,
    ],
    [
      "repeat clicks",
      (from, to) => sql`insert into events ${cols}
        select d.mailing_id, d.id, d.person_id, 'clicked', ${linkOf(n)}, null, 'desktop', '192.0.2.0', 0, 0,
          ${at(sql`4200 + (${n} * 7) % 86400`)}
        from deliveries d where ${range(from, to)} and ${delivered} and ${n} % 10 < 2 and ${n} % 7 = 0`,
    ],
    [
      "scanner clicks",
      (from, to) => sql`insert into events ${cols}
        select d.mailing_id, d.id, d.person_id, 'clicked', ${linkOf(sql`js.j`)}, 'scanner', 'scanner', '198.51.100.0', 1, 0,
          ${at(sql`2 + js.j * 0.2`)}
        from deliveries d cross join ${js}
        where ${range(from, to)} and ${delivered} and ${n} % 50 = 5`,
    ],
  ];
  for (const [label, pass] of passes) {
    for (let from = 1; from <= m.deliveries; from += chunk) {
      const to = Math.min(m.deliveries, from + chunk - 1);
      await pass(from, to).execute(db);
    }
    progress(`events: ${label} (${(await countEvents(db, m.mailingId)).toLocaleString("en")} so far)`);
  }

  // Opens fill up to the total: open k goes to the (k mod openers)-th of the delivered with n mod 10 < 5.
  await sql`create table bench_openers (rn integer primary key, delivery_id integer not null)`.execute(db);
  try {
    await sql`insert into bench_openers (rn, delivery_id)
      select row_number() over (order by d.id), d.id from deliveries d
      where d.mailing_id = ${sql.lit(m.mailingId)} and ${delivered} and ${n} % 10 < 5`.execute(db);
    const openers = Number(
      (await sql<{ c: number | string }>`select count(*) as c from bench_openers`.execute(db)).rows[0]!.c,
    );
    const opens = total - (await countEvents(db, m.mailingId));
    const k = sql`s.i`;
    // Offsets grow with the square of a spread value: most opens in the first hours, a tail over three days.
    const spread = sql`((${k} * 7919) % 1000)`;
    for (let from = 1; from <= opens; from += chunk * 5) {
      const to = Math.min(opens, from + chunk * 5 - 1);
      await sql`insert into events ${cols}
        select d.mailing_id, d.id, d.person_id, 'opened', null,
          case when ${k} % 12 = 0 then 'privacy-proxy' end,
          case when ${k} % 12 = 0 then 'privacy-proxy' when ${k} % 3 = 0 then 'mobile' else 'desktop' end,
          case when ${k} % 12 = 0 then '17.58.0.0' else '192.0.2.0' end,
          case when ${k} % 12 = 0 then 1 else 0 end, 0,
          ${at(sql`case when ${k} % 12 = 0 then 20 + ${k} % 40 else 60 + ${spread} * ${spread} * 259 / 1000 end`)}
        from ${series(dialect, from, to)}
        join bench_openers o on o.rn = (s.i - 1) % ${sql.lit(openers)} + 1
        join deliveries d on d.id = o.delivery_id`.execute(db);
      progress(`events: opens ${to.toLocaleString("en")} / ${opens.toLocaleString("en")}`);
    }
  } finally {
    await sql`drop table bench_openers`.execute(db);
  }
}

async function countEvents(db: Db, mailingId: number): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<number | string>().as("c"))
    .where("mailing_id", "=", mailingId)
    .executeTakeFirstOrThrow();
  return Number(row.c);
}

/**
 * The rollups recordOpen and recordClick would have left after these events, rebuilt from them: first open (an
 * unflagged open or click) and first click per delivery, counters and hourly buckets per shard, one link_clickers
 * row per clicked (link, delivery) — flagged until a click that is not a machine's — and the links' counts.
 */
export async function rebuildRollups(handle: DbHandle, mailingId: number): Promise<void> {
  const db = handle.db;
  const human = sql`e.flagged = 0 and e.is_test = 0`;
  await sql`update deliveries set first_opened_at = a.fo, first_clicked_at = a.fc
    from (select e.delivery_id,
        min(case when e.kind in ('opened', 'clicked') and ${human} then e.created_at end) as fo,
        min(case when e.kind = 'clicked' and ${human} then e.created_at end) as fc
      from events e where e.mailing_id = ${sql.lit(mailingId)} and e.kind in ('opened', 'clicked') and e.delivery_id is not null
      group by e.delivery_id) as a
    where deliveries.id = a.delivery_id`.execute(db);
  await db
    .deleteFrom("mailing_counters")
    .where("mailing_id", "=", mailingId)
    .where("name", "not like", "recipients:%")
    .execute();
  await sql`insert into mailing_counters (mailing_id, name, shard, value)
    select e.mailing_id,
      case when e.kind = 'opened' and e.flagged = 0 then 'opened_total' when e.kind = 'opened' then 'opened_flagged'
        when e.flagged = 0 then 'clicked_total' else 'clicked_flagged' end as name,
      e.delivery_id % ${sql.lit(SHARDS)} as shard, count(*)
    from events e where e.mailing_id = ${sql.lit(mailingId)} and e.kind in ('opened', 'clicked') and e.is_test = 0
    group by e.mailing_id, 2, 3`.execute(db);
  await sql`insert into mailing_counters (mailing_id, name, shard, value)
    select d.mailing_id, 'opened_unique', d.id % ${sql.lit(SHARDS)}, count(*)
    from deliveries d where d.mailing_id = ${sql.lit(mailingId)} and d.first_opened_at is not null group by d.mailing_id, 3
    union all
    select d.mailing_id, 'clicked_unique', d.id % ${sql.lit(SHARDS)}, count(*)
    from deliveries d where d.mailing_id = ${sql.lit(mailingId)} and d.first_clicked_at is not null group by d.mailing_id, 3`.execute(
    db,
  );
  await db.deleteFrom("mailing_hourly").where("mailing_id", "=", mailingId).execute();
  await sql`insert into mailing_hourly (mailing_id, hour, kind, shard, value)
    select e.mailing_id, substr(e.created_at, 1, 13), e.kind, e.delivery_id % ${sql.lit(SHARDS)}, count(*)
    from events e where e.mailing_id = ${sql.lit(mailingId)} and e.kind in ('opened', 'clicked') and ${human}
    group by e.mailing_id, 2, 3, 4`.execute(db);
  await sql`delete from link_clickers where link_id in (select id from tracked_links where mailing_id = ${sql.lit(mailingId)})`.execute(
    db,
  );
  await sql`insert into link_clickers (link_id, delivery_id, person_id, clicks, flagged, first_at, last_at)
    select e.link_id, e.delivery_id, max(e.person_id),
      sum(case when e.flagged = 0 then 1 else 0 end),
      case when sum(case when e.flagged = 0 then 1 else 0 end) = 0 then 1 else 0 end,
      min(e.created_at),
      coalesce(max(case when e.flagged = 0 then e.created_at end), min(e.created_at))
    from events e where e.mailing_id = ${sql.lit(mailingId)} and e.kind = 'clicked' and e.is_test = 0
    group by e.link_id, e.delivery_id`.execute(db);
  await sql`update tracked_links set
      clicks = (select count(*) from events e where e.link_id = tracked_links.id and e.kind = 'clicked' and ${human}),
      flagged_clicks = (select count(*) from events e where e.link_id = tracked_links.id and e.kind = 'clicked'
        and e.flagged = 1 and e.is_test = 0),
      test_clicks = (select count(*) from events e where e.link_id = tracked_links.id and e.kind = 'clicked' and e.is_test = 1),
      unique_clickers = (select count(*) from link_clickers c where c.link_id = tracked_links.id and c.flagged = 0)
    where mailing_id = ${sql.lit(mailingId)}`.execute(db);
}
