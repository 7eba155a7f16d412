// Shapes of the mailing API as the web UI uses them (JSON, camelCase). The mailing routes' shapes come from the
// server's response schemas (type-only imports: nothing of the server is bundled), so a server change that breaks
// the UI fails `npm run typecheck`, and so do the sending domains'. Sending accounts and the outbox are still declared
// here by hand.
import type { Mailing } from "../../../src/mailings/api-schemas.ts";

export type { BlockReason } from "../../../src/db/block-reasons.ts";
export type { SpamCheck, SpamFinding } from "../../../src/deliverability/api-schemas.ts";
export type { RecipientImportReport } from "../../../src/imports/api-schemas.ts";
export type {
  AccessibilityWarning,
  Attachment,
  Attachments,
  ContentFormat,
  Delivery,
  EmptyVariables,
  FromMode,
  GoalCategory,
  Mailing,
  MailingInput,
  MailingOptions,
  MailingProblem,
  MailingSource,
  MailingStatus,
  MailingStep,
  MailingSummary,
  MergeVariables,
  PastedAddress,
  PersonCheck,
  Preview,
  Progress,
  Recipient,
  SourceKind,
  StepKey,
  StepState,
  TemplateSummary,
  TestSend,
  TestSendHistory,
  TrackLinks,
} from "../../../src/mailings/api-schemas.ts";
export type {
  DnsCheck,
  DnsCheckStatus,
  DnsRecord,
  DnsRecordCheck,
  EhloCheck,
  SendingDomain,
} from "../../../src/sending-domains/api-schemas.ts";

/** What the wizard edits; PATCH takes any part of it. */
export type MailingFields = Pick<
  Mailing,
  | "name"
  | "sendingAccountId"
  | "goalText"
  | "goalCategory"
  | "folder"
  | "selectionId"
  | "projectId"
  | "subscriptionTypeId"
  | "subject"
  | "fromName"
  | "fromAddress"
  | "fromMode"
  | "replyTo"
  | "contentFormat"
  | "content"
  | "textContent"
  | "trackLinks"
  | "trackOpens"
  | "utmSource"
  | "utmCampaign"
  | "options"
  | "docHeading"
  | "docAttentionMode"
  | "docAttentionText"
  | "docOurRef"
  | "docSource"
  | "docOrder"
  | "docOddPages"
  | "formId"
>;

export type SendingAccount = {
  id: number;
  name: string;
  kind: "smtp" | "outbox" | "smpp" | "twilio" | "sms-outbox";
  host: string | null;
  port: number | null;
  /** SMTP: how the session is protected (src/send/channels/email/smtp-settings.ts). */
  tlsMode: TlsMode;
  /** SMTP: the configured EHLO name; null is the public address's host. */
  ehloName: string | null;
  /** The name EHLO will give, or null when there is none it may give (see `problems`). */
  effectiveEhloName?: string | null;
  caCertificate?: { pem: string; subject: string; validTo: string } | null;
  /** What keeps the account from sending; empty when it can. */
  problems?: string[];
  username: string | null;
  hasPassword: boolean;
  ratePerSecond: number;
  maxConnections: number;
  isDefault: boolean;
  /** SMS kinds: the IANA time zone of the 08–21 sending window. */
  timeZone?: string | null;
  /** Twilio: another API base URL (a test server); null for Twilio's own. */
  apiUrl?: string | null;
};

export type TlsMode = "starttls-required" | "starttls-opportunistic" | "implicit" | "none";

export type SendingAccountInput = Partial<
  Omit<SendingAccount, "id" | "hasPassword" | "caCertificate" | "effectiveEhloName" | "problems">
> & {
  password?: string | null;
  caCertificate?: string | null;
};

/** POST /api/sending-accounts/:id/test-connection. */
export type ConnectionReport = {
  ehloName: string;
  extensions: string[];
  tls: {
    version: string;
    cipher: string;
    certificate: { subject: string; issuer: string; validTo: string } | null;
  } | null;
  authenticated: boolean;
};

export type OutboxSummary = {
  id: number;
  mailingId: number | null;
  deliveryId: number | null;
  isTest: boolean;
  to: string;
  subject: string;
  createdAt: string;
  /** An SMS has no subject: its text is shown instead. */
  channel?: "email" | "sms";
  text?: string | null;
};

export type OutboxMessage = {
  id: number;
  mailingId: number | null;
  isTest: boolean;
  envelopeFrom: string;
  to: string;
  from: string | null;
  subject: string;
  headers: { key: string; value: string }[];
  html: string | null;
  text: string | null;
  raw: string;
  createdAt: string;
  channel?: "email" | "sms";
};
