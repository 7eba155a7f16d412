// The local outbox: the e-mail transport used when no SMTP server is configured (SMS has its own, sms/outbox.ts,
// writing to the same table). Messages are stored, listed and shown, so
// `npm start` on a laptop demonstrates the whole flow without sending anything anywhere.
import PostalMime from "postal-mime";
import type { Db } from "../../../db/connect.ts";
import { isoNow } from "../../../shared/clock.ts";
import { notFound } from "../../../shared/errors.ts";
import type { SendOutcome } from "../../outcomes.ts";

/** One built message at a time; the e-mail transport wraps it (and SMTP) for the send loop. */
export type MessageSender = {
  send(envelope: { from: string; to: string }, raw: Buffer, meta?: OutboxMeta): Promise<SendOutcome>;
  close(): Promise<void>;
};

export type OutboxMeta = {
  mailingId: number | null;
  deliveryId: number | null;
  isTest: boolean;
  subject: string;
};

export function outboxSender(db: Db): MessageSender {
  return {
    async send(envelope, raw, meta) {
      await db
        .insertInto("outbox_messages")
        .values({
          mailing_id: meta?.mailingId ?? null,
          delivery_id: meta?.deliveryId ?? null,
          is_test: meta?.isTest ? 1 : 0,
          envelope_from: envelope.from,
          to_address: envelope.to,
          subject: meta?.subject ?? "",
          raw: raw.toString("utf8"),
          created_at: isoNow(),
        })
        .execute();
      return { kind: "accepted", reply: "250 stored in the local outbox" };
    },
    close: async () => {},
  };
}

export async function listOutbox(
  db: Db,
  filter: { mailingId?: number | undefined },
  page: { limit: number; offset: number },
) {
  let base = db.selectFrom("outbox_messages");
  if (filter.mailingId !== undefined) base = base.where("mailing_id", "=", filter.mailingId);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base
      .select([
        "id",
        "mailing_id",
        "delivery_id",
        "is_test",
        "to_address",
        "subject",
        "channel",
        "raw",
        "created_at",
      ])
      .orderBy("id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      mailingId: r.mailing_id,
      deliveryId: r.delivery_id,
      isTest: r.is_test === 1,
      to: r.to_address,
      subject: r.subject,
      channel: r.channel,
      // An SMS is its text; an e-mail's bytes are read one message at a time.
      text: r.channel === "sms" ? r.raw : null,
      createdAt: r.created_at,
    })),
    total: Number(count.n),
    limit: page.limit,
    offset: page.offset,
  };
}

/** One stored message, parsed for display: headers, HTML, text, and the raw source. */
export async function outboxMessage(db: Db, id: number) {
  const row = await db.selectFrom("outbox_messages").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound("outbox message", id);
  if (row.channel === "sms")
    return {
      id: row.id,
      mailingId: row.mailing_id,
      isTest: row.is_test === 1,
      envelopeFrom: row.envelope_from,
      to: row.to_address,
      subject: row.subject,
      from: row.envelope_from,
      headers: [],
      html: null,
      text: row.raw,
      raw: row.raw,
      channel: row.channel,
      createdAt: row.created_at,
    };
  const parsed = await PostalMime.parse(row.raw);
  return {
    id: row.id,
    mailingId: row.mailing_id,
    isTest: row.is_test === 1,
    envelopeFrom: row.envelope_from,
    to: row.to_address,
    subject: parsed.subject ?? row.subject,
    from: parsed.from ? `${parsed.from.name ? `${parsed.from.name} ` : ""}<${parsed.from.address}>` : null,
    headers: parsed.headers.map((h) => ({ key: h.key, value: h.value })),
    html: parsed.html ?? null,
    text: parsed.text ?? null,
    raw: row.raw,
    channel: row.channel,
    createdAt: row.created_at,
  };
}
