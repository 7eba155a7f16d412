// An SMS mailing before it is sent (SPEC §6, §12): one recipient's text as their phone shows it, the parts every
// eligible recipient needs, a test to typed numbers through the mailing's own account; and after: the replies.
import type { Db } from "../../../db/connect.ts";
import { recipientLinks } from "../../../deliveries/identity.ts";
import { loadRecipientValues, type RecipientValues } from "../../../mailings/merge-values.ts";
import { pickPreviewRecipient } from "../../../mailings/recipients.ts";
import { AppError, notFound, validationFailed } from "../../../shared/errors.ts";
import { parseNumberList } from "../../../sms/phone.ts";
import { accountForSending } from "../../accounts.ts";
import type { ChannelDeps } from "../../channel.ts";
import { SAMPLE_RECIPIENT } from "../email/preview.ts";
import { type PreparedSms, prepareSms, renderSmsText, smsMessage, smsTransport } from "./index.ts";
import { countSms } from "./segments.ts";

export type SmsPreviewDeps = ChannelDeps & { db: Db };

const SAMPLE_SMS_RECIPIENT: RecipientValues = {
  ...SAMPLE_RECIPIENT,
  customer: { ...SAMPLE_RECIPIENT.customer, cellphone: "+4791234567" },
};

async function valuesFor(db: Db, recipient: { id: number; mobile: string | null } | null) {
  if (!recipient) return SAMPLE_SMS_RECIPIENT;
  const values = await loadRecipientValues(db, [
    { recipientId: recipient.id, ...(recipient.mobile ? { mobile: recipient.mobile } : {}) },
  ]);
  return values.get(recipient.id)!;
}

async function preparedSms(db: Db, mailingId: number): Promise<PreparedSms> {
  const mailing = await db
    .selectFrom("mailings")
    .select("type")
    .where("id", "=", mailingId)
    .executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  if (mailing.type !== "sms")
    throw new AppError("MAILING_NOT_READY", `mailing ${mailingId} is not an SMS mailing`, { field: "type" });
  return prepareSms(db, mailingId);
}

export async function smsPreview(deps: SmsPreviewDeps, mailingId: number, recipientId?: number) {
  const prepared = await preparedSms(deps.db, mailingId);
  const recipient = await pickPreviewRecipient(deps.db, mailingId, "mobile", recipientId);
  const values = await valuesFor(deps.db, recipient);
  const text = renderSmsText(prepared, values, recipientLinks(deps.publicUrl, deps.keys, 0));
  const count = countSms(text);
  return {
    recipient: recipient
      ? { id: recipient.id, name: values.customer.name ?? recipient.name ?? "", mobile: recipient.mobile }
      : null,
    text,
    encoding: count.encoding,
    characters: count.characters,
    parts: count.parts,
  };
}

/** The most parts any eligible recipient's text needs, how many need more than one, and the parts in all. */
export async function smsSummary(deps: SmsPreviewDeps, mailingId: number) {
  const prepared = await preparedSms(deps.db, mailingId);
  const summary = { recipients: 0, maxParts: 0, multipart: 0, totalParts: 0 };
  const links = recipientLinks(deps.publicUrl, deps.keys, 0);
  let after = 0;
  for (;;) {
    // Keyset pages: a list of 100,000 is read a thousand at a time, never all at once.
    const page = await deps.db
      .selectFrom("mailing_recipients")
      .select(["id", "mobile"])
      .where("mailing_id", "=", mailingId)
      .where("status", "=", "eligible")
      .where("id", ">", after)
      .orderBy("id")
      .limit(1000)
      .execute();
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    const values = await loadRecipientValues(
      deps.db,
      page.map((r) => ({ recipientId: r.id, ...(r.mobile ? { mobile: r.mobile } : {}) })),
    );
    for (const r of page) {
      const { parts } = countSms(renderSmsText(prepared, values.get(r.id)!, links));
      summary.recipients++;
      summary.totalParts += parts;
      summary.maxParts = Math.max(summary.maxParts, parts);
      if (parts > 1) summary.multipart++;
    }
  }
  return summary;
}

/** Sends the text as a chosen recipient (or a sample) would get it to typed numbers; nothing is counted. */
export async function sendSmsTest(
  deps: SmsPreviewDeps,
  mailingId: number,
  numberList: string,
  recipientId?: number,
) {
  const { numbers, problems } = parseNumberList(numberList);
  const first = problems[0];
  if (first)
    throw validationFailed(
      `number ${first.position}: ${first.message}`,
      problems.map((p) => ({
        field: "numbers",
        message: `number ${p.position}: ${p.message}`,
        kind: p.reason,
      })),
      { field: "numbers", value: first.value, position: first.position },
    );
  if (numbers.length === 0)
    throw validationFailed(
      "give at least one mobile number",
      [{ field: "numbers", message: "give at least one mobile number", kind: "required" }],
      { field: "numbers", value: "" },
    );
  if (numbers.length > 20)
    throw validationFailed(
      "at most 20 test numbers",
      [{ field: "numbers", message: "at most 20 test numbers", kind: "maxItems", params: { limit: 20 } }],
      { field: "numbers", value: "" },
    );
  const prepared = await preparedSms(deps.db, mailingId);
  const mailing = await deps.db
    .selectFrom("mailings")
    .select("sending_account_id")
    .where("id", "=", mailingId)
    .executeTakeFirstOrThrow();
  if (!mailing.sending_account_id)
    throw new AppError("MAILING_NOT_READY", "choose a sending account first", { field: "sendingAccountId" });
  const account = await accountForSending(deps.db, mailing.sending_account_id);
  const recipient = await pickPreviewRecipient(deps.db, mailingId, "mobile", recipientId);
  const text = renderSmsText(
    prepared,
    await valuesFor(deps.db, recipient),
    recipientLinks(deps.publicUrl, deps.keys, 0),
  );
  const transport = smsTransport(deps.db, account, deps, { maxConnections: 1 });
  try {
    const outcomes = await transport.send(
      numbers.map((to) => smsMessage(prepared, to, text, { deliveryId: null, isTest: true })),
    );
    return {
      sent: numbers.map((number, i) => ({
        number,
        status: outcomes[i]!.kind === "accepted" ? ("accepted" as const) : ("failed" as const),
        reply: outcomes[i]!.reply || null,
      })),
    };
  } finally {
    await transport.close();
  }
}

/** Replies to the mailing, newest first, with the person each came from when known. */
export async function smsReplies(db: Db, mailingId: number, page: { limit: number; offset: number }) {
  const base = db.selectFrom("sms_inbound").where("mailing_id", "=", mailingId);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow(),
    base
      .leftJoin("persons as p", "p.id", "sms_inbound.person_id")
      .select([
        "sms_inbound.id",
        "sms_inbound.from_number",
        "sms_inbound.person_id",
        "sms_inbound.text",
        "sms_inbound.kind",
        "sms_inbound.received_at",
        "p.first_name",
        "p.last_name",
      ])
      .orderBy("sms_inbound.received_at", "desc")
      .orderBy("sms_inbound.id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      from: r.from_number,
      personId: r.person_id,
      personName: [r.first_name, r.last_name].filter(Boolean).join(" ") || null,
      text: r.text,
      kind: r.kind,
      receivedAt: r.received_at,
    })),
    total: Number(count.n),
    limit: page.limit,
    offset: page.offset,
  };
}
