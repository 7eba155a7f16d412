// Exports a mailing's recipients with their status (SPEC §8 recipient list): eligible or blocked and why, the latest
// delivery attempt, and whether the recipient opened, clicked or unsubscribed. Streamed page by page.
import type { Readable } from "node:stream";
import { type BlockReason, LEFT_OUT_REASONS, type StoredBlockReason } from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import { notFound } from "../shared/errors.ts";
import { type FollowUpQuery, followUpMatches } from "../track/follow-up.ts";
import { type ExportFormat, neutralise, tableStream } from "./export.ts";

export type RecipientExportFilter = {
  status?: "eligible" | "blocked" | undefined;
  reason?: BlockReason | undefined;
  /** The follow-up list's filters (what recipients did), so an export is exactly the rows on screen. */
  followUp?: FollowUpQuery | undefined;
};

export const RECIPIENT_EXPORT_HEADERS = [
  "E-mail",
  "Name",
  "Person ID",
  "Company",
  "Recipient status",
  "Block reason",
  "Delivery status",
  "Attempt",
  "Sent at",
  "Bounce",
  "Reply",
  "Opened",
  "Clicked",
  "Unsubscribed",
];

type RecipientPageRow = {
  id: number;
  position: number;
  email: string | null;
  name: string | null;
  person_id: number | null;
  company: string | null;
  status: "eligible" | "blocked";
  block_reason: StoredBlockReason | null;
};

const yesNo = (on: boolean) => (on ? "yes" : "no");

async function* recipientRows(
  db: Db,
  mailingId: number,
  filter: RecipientExportFilter,
  pageSize: number,
): AsyncGenerator<string[]> {
  // Keyset paging in list order (position, then id): each page is one indexed range, however long the list.
  let after: { position: number; id: number } | null = null;
  for (;;) {
    let query = db
      .selectFrom("mailing_recipients as r")
      .leftJoin("companies as c", "c.id", "r.company_id")
      .select([
        "r.id",
        "r.position",
        "r.email",
        "r.name",
        "r.person_id",
        "c.name as company",
        "r.status",
        "r.block_reason",
      ])
      .where("r.mailing_id", "=", mailingId)
      // People without an address were never on the list the user sees (they are counted as left out).
      .where((eb) =>
        eb.or([eb("r.block_reason", "is", null), eb("r.block_reason", "not in", LEFT_OUT_REASONS)]),
      )
      .orderBy("r.position")
      .orderBy("r.id")
      .limit(pageSize);
    if (filter.status) query = query.where("r.status", "=", filter.status);
    if (filter.reason) query = query.where("r.block_reason", "=", filter.reason);
    const followUp = filter.followUp;
    if (followUp && (followUp.filters.length > 0 || followUp.linkId !== undefined || followUp.search))
      query = query.where("r.id", "in", followUpMatches(db, mailingId, followUp));
    if (after) {
      const { position, id } = after;
      query = query.where((eb) =>
        eb.or([
          eb("r.position", ">", position),
          eb.and([eb("r.position", "=", position), eb("r.id", ">", id)]),
        ]),
      );
    }
    const page: RecipientPageRow[] = (await query.execute()).map((r) => ({
      ...r,
      position: Number(r.position),
    }));
    if (page.length === 0) return;
    const ids = page.map((r) => r.id);
    const deliveries = await db
      .selectFrom("deliveries")
      .select(["id", "recipient_id", "attempt", "status", "sent_at", "bounce_kind", "last_reply"])
      .where("mailing_id", "=", mailingId)
      .where("recipient_id", "in", ids)
      .execute();
    const latest = new Map<number, (typeof deliveries)[number]>();
    const recipientOf = new Map<number, number>();
    for (const d of deliveries) {
      recipientOf.set(d.id, d.recipient_id);
      const known = latest.get(d.recipient_id);
      if (!known || d.attempt > known.attempt) latest.set(d.recipient_id, d);
    }
    const opened = new Set<number>();
    const clicked = new Set<number>();
    const unsubscribed = new Set<number>();
    if (deliveries.length > 0) {
      // Any attempt counts: a recipient who opened the first attempt has opened the mailing. Test events never do.
      const events = await db
        .selectFrom("events")
        .select(["delivery_id", "kind"])
        .distinct()
        .where("mailing_id", "=", mailingId)
        .where("is_test", "=", 0)
        .where("kind", "in", ["opened", "clicked", "unsubscribed"])
        .where(
          "delivery_id",
          "in",
          deliveries.map((d) => d.id),
        )
        .execute();
      for (const e of events) {
        const recipientId = recipientOf.get(e.delivery_id!);
        if (recipientId === undefined) continue;
        if (e.kind === "opened" || e.kind === "clicked") opened.add(recipientId);
        if (e.kind === "clicked") clicked.add(recipientId);
        if (e.kind === "unsubscribed") unsubscribed.add(recipientId);
      }
    }
    for (const r of page) {
      const d = latest.get(r.id);
      yield [
        r.email ?? "",
        r.name ?? "",
        r.person_id === null ? "" : String(r.person_id),
        r.company ?? "",
        r.status,
        r.block_reason ?? "",
        d?.status ?? "",
        d ? String(d.attempt) : "",
        d?.sent_at ?? "",
        d?.bounce_kind ?? "",
        d?.last_reply ?? "",
        yesNo(opened.has(r.id)),
        yesNo(clicked.has(r.id)),
        yesNo(unsubscribed.has(r.id)),
      ].map(neutralise);
    }
    const last = page[page.length - 1]!;
    after = { position: last.position, id: last.id };
  }
}

/** The export as a byte stream; a missing mailing fails before the first byte. */
export async function exportRecipients(
  db: Db,
  mailingId: number,
  options: {
    format: ExportFormat;
    filter?: RecipientExportFilter;
    delimiter?: "," | ";";
    pageSize?: number;
  },
): Promise<Readable> {
  const mailing = await db.selectFrom("mailings").select("id").where("id", "=", mailingId).executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  const rows = recipientRows(db, mailingId, options.filter ?? {}, options.pageSize ?? 1000);
  return tableStream(options.format, RECIPIENT_EXPORT_HEADERS, rows, {
    delimiter: options.delimiter,
    sheetName: "Recipients",
  });
}
