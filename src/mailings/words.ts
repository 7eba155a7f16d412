// The words a mailing's fields and steps take in the API, in the order the web UI lists them. This file imports
// nothing, so the web bundle may import these lists (the schemas in api-schemas.ts are built from them).

export const MAILING_TYPES = ["email", "sms", "document", "form"] as const;
/** The types New mailing offers: all of them (a form response is an e-mail that answers a form's submissions). */
export const CREATABLE_TYPES: readonly (typeof MAILING_TYPES)[number][] = [
  "email",
  "sms",
  "document",
  "form",
];
/** The sending account kinds an SMS goes through (SPEC §12). */
export const SMS_ACCOUNT_KINDS = ["smpp", "twilio", "sms-outbox"] as const;
export const MAILING_STATUSES = ["draft", "scheduled", "sending", "paused", "finished", "cancelled"] as const;
export const GOAL_CATEGORIES = ["new-sales", "upsell", "loyalty", "information"] as const;
export const DELIVERY_STATUSES = [
  "pending",
  "claimed",
  "sending",
  "sent",
  "delivered",
  "failed",
  "bounced",
  "complained",
  "unknown",
  "cancelled",
  "generated",
] as const;
export const SOURCE_KINDS = ["selection", "project", "person", "addresses", "import"] as const;
export const CONTENT_FORMATS = ["html", "mjml"] as const;
export const FROM_MODES = ["fixed", "our-contact"] as const;
export const TRACK_LINKS = ["all", "registered", "none"] as const;
export const STEP_KEYS = ["setup", "template", "content", "recipients", "confirm"] as const;
export const STEP_STATES = ["complete", "incomplete", "not-started"] as const;
/** Documents (SPEC §13): how the attention line is chosen, where the letter comes from, the order of the letters. */
export const DOCUMENT_ATTENTION_MODES = ["name-else-text", "always-text"] as const;
export const DOCUMENT_SOURCES = ["composed", "word"] as const;
export const DOCUMENT_ORDERS = ["list", "postcode"] as const;
