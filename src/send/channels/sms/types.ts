// What the SMS channel's parts agree on: a message ready for a provider, and what a provider tells us later (a
// delivery report, an inbound reply). The SMPP, Twilio and outbox transports speak these; the channel (index.ts)
// turns reports and replies into ledger changes and opt-outs.

export type SmsEncoding = "gsm7" | "ucs2";

/** One merged SMS, ready for the wire. `text` is already normalised when the mailing asks for it. */
export type SmsMessage = {
  mailingId: number | null;
  deliveryId: number | null;
  isTest: boolean;
  /** An alphanumeric sender ID (≤ 11 characters) or an E.164 number. */
  from: string;
  /** E.164, e.g. "+4791234567". */
  to: string;
  text: string;
  encoding: SmsEncoding;
  /** How many parts (segments) the text needs: 1 up to 160/70 characters, else ⌈n/153⌉ or ⌈n/67⌉. */
  parts: number;
};

/** A provider's delivery report for one message (or one part of it), matched by the provider's message id. */
export type DeliveryReport = {
  providerMessageId: string;
  status: "delivered" | "failed";
  /** The provider's status or error code as it sent it ("DELIVRD", "UNDELIV:000", Twilio's "30003"). */
  code: string | null;
  /** ISO 8601, UTC. */
  at: string;
};

/** A message someone sent to one of our numbers (SMPP deliver_sm without a receipt flag, Twilio's inbound webhook). */
export type InboundSms = {
  /** The sender, E.164 when the provider says so. */
  from: string;
  /** Our number it was sent to. */
  to: string;
  text: string;
  at: string;
};

/** Where a transport hands what the provider sends back on its own. Both may be called more than once for the same thing. */
export type SmsEvents = {
  report(report: DeliveryReport): Promise<void>;
  inbound(message: InboundSms): Promise<void>;
};
