// The SMS parts of the mailing API as the web UI reads them. The shapes come from the server's schemas (type-only
// imports: nothing of the server is bundled), so a server change that breaks the UI fails `npm run typecheck`; the
// helpers below are the only place that reads the SMS fields off a mailing.

import { SMS_ACCOUNT_KINDS } from "../../../../src/mailings/words.ts";
import type { MailingStatistics } from "../../../../src/track/api-schemas.ts";
import type { Mailing, MailingInput } from "../../api/mailing-types.ts";

export type {
  SmsPreview,
  SmsReply,
  SmsSummary,
  SmsTestResult,
} from "../../../../src/send/channels/sms/api-schemas.ts";

/** The types New mailing offers: an e-mail, an SMS or a document (letters to print). */
export type MailingType = "email" | "sms" | "document" | "form";

export type SmsFields = Pick<Mailing, "smsSender" | "smsText" | "smsNormalize" | "smsOptOutLine">;

export type SmsWindow = NonNullable<Mailing["smsWindow"]>;

export type SmsStatistics = NonNullable<MailingStatistics["sms"]>;

type WithSms = Partial<SmsFields> & { type?: Mailing["type"]; smsWindow?: SmsWindow | null };

/** The types the SMS screens tell apart: an SMS mailing, or any other (e-mail). */
export function mailingType(mailing: object): "email" | "sms" {
  return (mailing as WithSms).type === "sms" ? "sms" : "email";
}

export function isSms(mailing: object): boolean {
  return mailingType(mailing) === "sms";
}

/** The SMS fields of a mailing (or of the wizard's edited values), with their defaults. */
export function smsFields(values: object): SmsFields {
  const v = values as WithSms;
  return {
    smsSender: v.smsSender ?? null,
    smsText: v.smsText ?? null,
    smsNormalize: v.smsNormalize ?? false,
    smsOptOutLine: v.smsOptOutLine ?? null,
  };
}

export function smsWindow(mailing: Mailing): SmsWindow | null {
  return mailing.smsWindow ?? null;
}

/** A change to the SMS fields, in the shape the wizard's change() takes. */
export function smsPatch(patch: Partial<SmsFields>): MailingInput {
  return patch;
}

export type SmsAccountKind = (typeof SMS_ACCOUNT_KINDS)[number];
export const isSmsAccountKind = (kind: string): boolean =>
  (SMS_ACCOUNT_KINDS as readonly string[]).includes(kind);

/** The opt-out line an SMS mailing with a subscription type gets when none is written. */
export const DEFAULT_OPT_OUT_LINE = "Svar STOPP for å melde deg av";

/** The text as it will be counted and sent: the message, then the opt-out line on its own line. */
export function withOptOut(text: string, optOutLine: string | null): string {
  if (!optOutLine) return text;
  return text === "" ? optOutLine : `${text}\n${optOutLine}`;
}
