// The SMS parts of the mailing API as the web UI reads them. Until the server's schemas carry these fields they are
// declared here by the agreed contract; the helpers below are the only place that reads them off a mailing.
import { SMS_ACCOUNT_KINDS } from "../../../../src/mailings/words.ts";
import type { Mailing, MailingInput } from "../../api/mailing-types.ts";

export type MailingType = "email" | "sms";

export type SmsFields = {
  smsSender: string | null;
  smsText: string | null;
  smsNormalize: boolean;
  smsOptOutLine: string | null;
};

export type SmsWindow = { open: boolean; opensAt: string | null };

type WithSms = Partial<SmsFields> & { type?: MailingType; smsWindow?: SmsWindow | null };

export function mailingType(mailing: object): MailingType {
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
  return (mailing as WithSms).smsWindow ?? null;
}

/** A change to the SMS fields, in the shape the wizard's change() takes. */
export function smsPatch(patch: Partial<SmsFields>): MailingInput {
  return patch as MailingInput;
}

export type SmsPreview = {
  recipient: { id: number; name: string; mobile: string | null } | null;
  text: string;
  encoding: "gsm7" | "ucs2";
  characters: number;
  parts: number;
};

export type SmsSummary = { recipients: number; maxParts: number; multipart: number; totalParts: number };

export type SmsTestResult = {
  sent: { number: string; status: "accepted" | "failed"; reply: string | null }[];
};

export type SmsStatistics = {
  sent: number;
  delivered: number;
  failed: number;
  awaitingReport: number;
  parts: number;
  optOuts: number;
  timeline: { at: string; sent: number; delivered: number; failed: number }[];
};

export type SmsReply = {
  id: number;
  from: string;
  personId: number | null;
  personName: string | null;
  text: string;
  kind: "opt-out" | "reply";
  receivedAt: string;
};

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
