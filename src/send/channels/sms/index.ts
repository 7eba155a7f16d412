// The SMS channel (SPEC §12): a mailing prepared once (its text compiled, sender and opt-out line read), each
// recipient's text merged with raw values (no HTML escaping), normalised to GSM-7 when the mailing asks, counted in
// parts, and sent through the account's SMPP session, Twilio, or the local SMS outbox. Reports and replies that
// a provider sends back on its own are stored as they come (reports.ts, inbound.ts).
import type { Db } from "../../../db/connect.ts";
import { recipientLinks } from "../../../deliveries/identity.ts";
import {
  type CompiledTemplate,
  compileTemplate,
  type MergeContext,
  renderTemplate,
} from "../../../mailings/merge-fields.ts";
import type { RecipientValues } from "../../../mailings/merge-values.ts";
import { SMS_ACCOUNT_KINDS } from "../../../mailings/words.ts";
import { AppError } from "../../../shared/errors.ts";
import { DEFAULT_OPT_OUT_LINE, withOptOutLine } from "../../../sms/opt-out.ts";
import { sendingWindowState } from "../../../sms/window.ts";
import type { Channel, ChannelDeps, SendingAccountRow, Transport } from "../../channel.ts";
import { recordDeliveryReport } from "../../reports.ts";
import { recordInboundSms } from "./inbound.ts";
import { smsOutboxTransport } from "./outbox.ts";
import { countSms, normalizeForGsm7 } from "./segments.ts";
import { createSmppTransport } from "./smpp.ts";
import { createTwilioTransport } from "./twilio.ts";
import type { SmsEvents, SmsMessage } from "./types.ts";

export type PreparedSms = {
  mailingId: number;
  name: string;
  sender: string;
  text: CompiledTemplate;
  normalize: boolean;
  /** Null when the mailing has no subscription type: there is nothing to opt out of. */
  optOutLine: string | null;
};

export async function prepareSms(db: Db, mailingId: number): Promise<PreparedSms> {
  const m = await db
    .selectFrom("mailings")
    .select(["name", "sms_sender", "sms_text", "sms_normalize", "sms_opt_out_line", "subscription_type_id"])
    .where("id", "=", mailingId)
    .executeTakeFirstOrThrow();
  if (!m.sms_sender || !m.sms_text?.trim())
    throw new AppError("MAILING_NOT_READY", `SMS mailing ${mailingId} lacks a sender or a text`, {});
  return {
    mailingId,
    name: m.name,
    sender: m.sms_sender,
    text: compileTemplate(m.sms_text, "text", { field: "smsText" }),
    normalize: m.sms_normalize === 1,
    optOutLine: m.subscription_type_id === null ? null : (m.sms_opt_out_line ?? DEFAULT_OPT_OUT_LINE.nb),
  };
}

/** One recipient's text as it goes out: merged, normalised when asked, with the opt-out line last. */
export function renderSmsText(
  prepared: PreparedSms,
  values: RecipientValues,
  links: MergeContext["link"],
): string {
  const merged = renderTemplate(
    prepared.text,
    { ...values, mailing: { name: prepared.name, subject: null }, link: links },
    "smsText",
  );
  const text = prepared.normalize ? normalizeForGsm7(merged) : merged;
  return prepared.optOutLine ? withOptOutLine(text, prepared.optOutLine) : text;
}

export function smsMessage(
  prepared: PreparedSms,
  to: string,
  text: string,
  ids: { deliveryId: number | null; isTest: boolean },
): SmsMessage {
  const count = countSms(text);
  return {
    mailingId: prepared.mailingId,
    deliveryId: ids.deliveryId,
    isTest: ids.isTest,
    from: prepared.sender,
    to,
    text,
    encoding: count.encoding,
    parts: count.parts,
  };
}

export function smsChannel(deps: ChannelDeps): Channel<PreparedSms, SmsMessage> {
  return {
    name: "sms",
    accountKinds: SMS_ACCOUNT_KINDS,
    addressKind: "mobile",
    prepare: prepareSms,
    async render(prepared, recipient) {
      const text = renderSmsText(
        prepared,
        recipient.values,
        recipientLinks(deps.publicUrl, deps.keys, recipient.deliveryId),
      );
      return smsMessage(prepared, recipient.address, text, {
        deliveryId: recipient.deliveryId,
        isTest: false,
      });
    },
    parts: (message) => message.parts,
    heldUntil(account, now) {
      const state = sendingWindowState(now, account.time_zone ?? undefined);
      return state.open ? null : state.opensAt;
    },
    connect: (db, account, options) => smsTransport(db, account, deps, options),
  };
}

/** What a provider sends back on its own, stored against this account. */
export function smsEvents(db: Db, accountId: number, log: (message: string) => void = () => {}): SmsEvents {
  return {
    async report(report) {
      await recordDeliveryReport(db, accountId, report);
    },
    async inbound(message) {
      const stored = await recordInboundSms(db, accountId, message);
      log(`SMS from ${message.from}: ${stored.kind}`);
    },
  };
}

/** Where Twilio posts an account's delivery reports; the route verifies Twilio's signature over this URL. */
export function twilioStatusCallbackUrl(publicUrl: string, accountId: number): string {
  return `${publicUrl.replace(/\/+$/, "")}/hooks/twilio/${accountId}/status`;
}

export function smsTransport(
  db: Db,
  account: SendingAccountRow,
  deps: ChannelDeps,
  options: { maxConnections?: number; log?: (message: string) => void } = {},
): Transport<SmsMessage> {
  const events = smsEvents(db, account.id, options.log);
  switch (account.kind) {
    case "sms-outbox":
      return smsOutboxTransport(db, events);
    case "smpp":
      return createSmppTransport(
        {
          host: account.host!,
          port: account.port!,
          tls: account.tls_mode === "implicit",
          systemId: account.username ?? "",
          password: account.password ?? "",
          bindMode: "transceiver",
          window: Math.max(1, options.maxConnections ?? account.max_connections),
        },
        events,
        options.log,
      );
    case "twilio":
      return createTwilioTransport({
        accountSid: account.username ?? "",
        authToken: account.password ?? "",
        ...(account.api_url ? { apiUrl: account.api_url } : {}),
        statusCallbackUrl: twilioStatusCallbackUrl(deps.publicUrl, account.id),
        concurrency: Math.max(1, options.maxConnections ?? account.max_connections),
      });
    default:
      throw new AppError("INTERNAL", `a ${account.kind} account does not send SMS`, { kind: account.kind });
  }
}
