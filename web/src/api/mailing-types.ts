// Shapes of the mailing API as the web UI uses them (JSON, camelCase): mailings and their steps, recipients,
// preview, progress and deliveries, templates and attachments; sending accounts, domains and the outbox.

export type MailingStatus = "draft" | "scheduled" | "sending" | "paused" | "finished" | "cancelled";
export type GoalCategory = "new-sales" | "upsell" | "loyalty" | "information";
export type ContentFormat = "html" | "mjml";
export type FromMode = "fixed" | "our-contact";
export type TrackLinks = "all" | "registered" | "none";
export type StepKey = "setup" | "template" | "content" | "recipients" | "confirm";
export type StepState = "complete" | "incomplete" | "not-started";

import type { BlockReason } from "../../../src/db/block-reasons.ts";

export type { BlockReason };

/** A mailing as lists show it: the mailings page, a selection's Mailings tab, a project's Activities tab. */
export type MailingSummary = {
  id: number;
  name: string;
  type: string;
  status: MailingStatus;
  subject: string | null;
  createdAt: string;
  updatedAt: string;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  selectionId: number | null;
  projectId: number | null;
};

export type MailingOptions = {
  overrideConsent: boolean;
  onePerAddress: boolean;
  refreshOnSend: boolean;
  includeCompanies: boolean;
  preferCompany: boolean;
};

/** What the wizard edits; PATCH takes any part of it. */
export type MailingFields = {
  name: string;
  sendingAccountId: number | null;
  goalText: string | null;
  goalCategory: GoalCategory | null;
  folder: string | null;
  selectionId: number | null;
  projectId: number | null;
  subscriptionTypeId: number | null;
  subject: string | null;
  fromName: string | null;
  fromAddress: string | null;
  fromMode: FromMode;
  replyTo: string | null;
  contentFormat: ContentFormat;
  content: string | null;
  textContent: string | null;
  trackLinks: TrackLinks;
  trackOpens: boolean;
  utmSource: string | null;
  utmCampaign: string | null;
  options: MailingOptions;
};

export type MailingInput = Partial<Omit<MailingFields, "options">> & {
  type?: "email";
  options?: Partial<MailingOptions>;
};

export type MailingProblem = { step: StepKey; code: string; message: string; field?: string };
export type MailingStep = { key: StepKey; state: StepState; problems: MailingProblem[] };

export type Mailing = MailingSummary &
  MailingFields & {
    timeZone: string | null;
    recipientsResolvedAt: string | null;
    steps: MailingStep[];
    problems: MailingProblem[];
    warnings: string[];
    canSend: boolean;
    recipients: { eligible: number; blocked: Partial<Record<BlockReason, number>>; leftOut: number };
  };

export type SourceKind = "selection" | "project" | "person" | "addresses" | "import";
export type MailingSource = { id: number; kind: SourceKind; refId: number | null; label: string };
export type PastedAddress = { email: string; name?: string };

/** What importing a file as recipients reports (POST /api/mailings/:id/imports). */
export type RecipientImportReport = {
  dryRun: boolean;
  file: { format: "csv" | "xlsx"; encoding: string | null; delimiter: string | null; bytes: number };
  columns: { column: string; field: string | null; guessed: boolean }[];
  rows: number;
  valid: number;
  invalid: number;
  duplicatesInFile: number;
  linked: number;
  importOnly: number;
  blockedAddresses: number;
  sourceId: number | null;
  issues: { row: number; column: string; value: string; reason: string }[];
  duplicates: { row: number; email: string; firstRow: number }[];
  matches: { row: number; email: string; personId: number }[];
  notListed: { issues: number; duplicates: number; matches: number };
};

export type Recipient = {
  id: number;
  personId: number | null;
  companyId: number | null;
  email: string | null;
  name: string | null;
  status: "eligible" | "blocked";
  blockReason: BlockReason | null;
};

export type MergeVariables = {
  groups: {
    group: string;
    nb: string;
    en: string;
    types: string[];
    variables: { path: string; nb: string; en: string }[];
  }[];
  customFields: { key: string; label: string }[];
};

export type Preview = {
  recipientId: number | null;
  subject: string;
  html: string;
  text: string;
  emptyVariables: string[];
};

export type EmptyVariables = {
  checked: number;
  items: {
    variable: string;
    count: number;
    recipients: { id: number; name: string | null; email: string | null }[];
  }[];
};

export type Progress = {
  status: MailingStatus;
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  pending: number;
  ratePerSecond: number;
  etaSeconds: number | null;
};

export type Delivery = {
  id: number;
  recipientId: number;
  email: string;
  attempt: number;
  status: string;
  bounceKind: string | null;
  lastReply: string | null;
  sentAt: string | null;
};

export type TemplateSummary = {
  id: number;
  name: string;
  subject: string | null;
  contentFormat: ContentFormat;
  updatedAt: string;
};

export type Attachment = { id: number; filename: string; contentType: string; size: number };
export type Attachments = { items: Attachment[]; totalSize: number; limit: number };

export type SendingAccount = {
  id: number;
  name: string;
  kind: "smtp" | "outbox";
  host: string | null;
  port: number | null;
  secure: boolean;
  username: string | null;
  hasPassword: boolean;
  ratePerSecond: number;
  maxConnections: number;
  isDefault: boolean;
};

export type SendingAccountInput = Partial<Omit<SendingAccount, "id" | "hasPassword">> & {
  password?: string | null;
};

export type DnsRecord = { name: string; type: string; value: string };
export type DnsCheckStatus = "pass" | "warn" | "fail" | "unknown";
export type DnsRecordCheck = { status: DnsCheckStatus; message: string; records: string[] };
export type DnsCheck = {
  status: DnsCheckStatus;
  checkedAt: string;
  spf: DnsRecordCheck;
  dkim: DnsRecordCheck;
  dmarc: DnsRecordCheck;
  bounce: DnsRecordCheck;
};
export type SendingDomain = {
  id: number;
  domain: string;
  dkimSelector: string;
  bounceDomain: string;
  dnsRecords: DnsRecord[];
  createdAt: string;
  /** The last DNS check; null before the first. */
  check: DnsCheck | null;
};

export type OutboxSummary = {
  id: number;
  mailingId: number | null;
  deliveryId: number | null;
  isTest: boolean;
  to: string;
  subject: string;
  createdAt: string;
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
};
