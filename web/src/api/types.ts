// Shapes of the utsend API as the web UI uses them (JSON, camelCase).

export type Page<T> = { items: T[]; total: number; limit: number; offset: number };
export type Items<T> = { items: T[] };

export type Role = "admin" | "marketer" | "viewer";
export type Right = "read" | "write" | "export" | "send" | "overrideConsent" | "manageSettings" | "erase";

export type User = {
  id: number;
  email: string;
  name: string;
  role: Role;
  canOverrideConsent: boolean;
  canErase?: boolean;
  language: string | null;
  disabled?: boolean;
  createdAt?: string;
};

export type Session = { user: User; csrfToken: string; rights: Right[] };

export type PersonSummary = {
  id: number;
  firstName: string | null;
  lastName: string | null;
  fullName: string;
  email: string | null;
  mobile: string | null;
  companyId: number | null;
  companyName: string | null;
  formerEmployee: boolean;
};

export type LegalBasis = "consent" | "contract" | "legitimate-interest" | "withdrawn";
export type SubscriptionStatus = "subscribed" | "unsubscribed" | "never";

export type PersonEmail = { address: string; primary: boolean };
export type PersonConsent = { purpose: string; legalBasis: LegalBasis; source: string; updatedAt: string };
export type PersonSubscription = {
  typeId: number;
  typeName: string;
  status: SubscriptionStatus;
  updatedAt: string;
};

export type Person = PersonSummary & {
  middleName: string | null;
  title: string | null;
  mrmrs: string | null;
  emails: PersonEmail[];
  phone: string | null;
  language: string | null;
  /** The postal address letters go to (else the company's). */
  street: string | null;
  postcode: string | null;
  city: string | null;
  /** ISO code, e.g. NO. */
  country: string | null;
  ourContactId: number | null;
  interests: string[];
  customFields: Record<string, string | number | boolean | null>;
  consents: PersonConsent[];
  subscriptions: PersonSubscription[];
  createdAt: string;
  updatedAt: string;
  /** Only from GET /api/persons/:id: blocked or bouncing addresses. */
  addressProblems?: AddressProblem[];
};

export type AddressProblem = {
  address: string;
  blocked: boolean;
  reason: "hard" | "soft" | "complaint" | "unsubscribed" | "other" | null;
  statusCode: string | null;
  diagnostic: string | null;
  softCount: number;
  updatedAt: string;
};

export type PersonInput = {
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  title?: string | null;
  mrmrs?: string | null;
  emails?: { address: string; primary?: boolean }[];
  mobile?: string | null;
  phone?: string | null;
  language?: string | null;
  street?: string | null;
  postcode?: string | null;
  city?: string | null;
  country?: string | null;
  companyId?: number | null;
  ourContactId?: number | null;
  formerEmployee?: boolean;
  interests?: string[];
  customFields?: Record<string, string | number | boolean | null>;
};

export type ConsentHistoryEntry = {
  id: number;
  purpose: string | null;
  subscriptionType: string | null;
  change: string;
  source: string;
  comment: string | null;
  userName: string | null;
  createdAt: string;
};

export type Company = {
  id: number;
  name: string;
  orgNumber: string | null;
  department: string | null;
  street: string | null;
  postcode: string | null;
  city: string | null;
  country: string | null;
  domain: string | null;
  phone: string | null;
  email: string | null;
  ourContactId: number | null;
  personCount: number;
  createdAt?: string;
  updatedAt?: string;
};

export type CompanyInput = Partial<Omit<Company, "id" | "personCount" | "createdAt" | "updatedAt">>;

export type Interest = { id: number; name: string; personCount: number };
export type CustomFieldType = "text" | "number" | "date" | "boolean";
export type CustomField = { id: number; key: string; label: string; type: CustomFieldType };
export type ConsentPurpose = { id: number; key: string; name: string; builtin: boolean };
export type SubscriptionType = {
  id: number;
  name: string;
  description: string | null;
  subscriberCount: number;
};

export type SelectionKind = "static" | "dynamic" | "combined";
export type CombineOp = "union" | "intersection" | "difference";
export type Combine = { op: CombineOp; leftId: number; rightId: number };

export type TextOp =
  | "eq"
  | "neq"
  | "contains"
  | "notContains"
  | "startsWith"
  | "isEmpty"
  | "isNotEmpty"
  | "gt"
  | "lt";
export type Match = "all" | "any";

export type FieldCriterion = { type: "field"; field: string; op: TextOp; value?: string };
export type CustomFieldCriterion = { type: "customField"; key: string; op: TextOp; value?: string };
export type InterestCriterion = { type: "interest"; op: "has" | "hasNot"; interest: string };
export type ConsentCriterion = {
  type: "consent";
  purpose: string;
  state: "active" | "withdrawn" | "missing";
};
export type SubscriptionCriterion = { type: "subscription"; typeId: number; status: SubscriptionStatus };
export type MailingEvent = "received" | "opened" | "clicked" | "bounced" | "unsubscribed";
/** Without a mailing, bounced and unsubscribed mean "ever"; a link goes only with clicked. */
export type MailingCriterion = {
  type: "mailing";
  op: "did" | "didNot";
  event: MailingEvent;
  mailingId?: number;
  linkId?: number;
};
export type FormCriterionStatus = "submitted" | "confirmed" | "processed";
/** Without a form: any form. The period is from/to (YYYY-MM-DD, UTC days, both included) or the last N days. */
export type FormCriterion = {
  type: "form";
  formId?: number;
  status: FormCriterionStatus;
  from?: string;
  to?: string;
  lastDays?: number;
};
export type LeafCriterion =
  | FieldCriterion
  | CustomFieldCriterion
  | InterestCriterion
  | ConsentCriterion
  | SubscriptionCriterion
  | MailingCriterion
  | FormCriterion;
export type GroupCriterion = { type: "group"; match: Match; criteria: LeafCriterion[] };
export type Criterion = LeafCriterion | GroupCriterion;
export type Criteria = { match: Match; criteria: Criterion[] };

export type Selection = {
  id: number;
  name: string;
  description: string | null;
  kind: SelectionKind;
  criteria: Criteria | null;
  combine: Combine | null;
  memberCount?: number;
  createdAt: string;
  updatedAt: string;
};

export type CriteriaField = { field: string; kind: "text" | "boolean" | "date" };
export type CriteriaFields = { fields: CriteriaField[]; ops: unknown[] };

export type ProjectStatus = "planned" | "in-progress" | "completed" | "stopped";
export type Project = {
  id: number;
  name: string;
  status: ProjectStatus;
  description: string | null;
  memberCount: number;
  createdAt?: string;
  updatedAt?: string;
};

export type ApiKey = {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt?: string | null;
  userName?: string | null;
};
export type CreatedApiKey = { id: number; key: string; prefix: string };

export type Settings = {
  consentFilter: boolean;
  retentionTrackingDays: number;
  retentionReturnedMailDays: number;
  retentionAuditDays: number;
  /** Hours a web form's double opt-in link stays valid (default 48). */
  formConfirmHours: number;
  /** Mapped form fields a submission may overwrite when the CRM has a value (default none). */
  formOverwritableFields: string[];
  /** Per-recipient-domain pacing (docs/operations.md); PUT null goes back to the built-in rules. */
  domainPacing: DomainPacing;
};
type DomainLimits = { ratePerSecond: number | null; maxInFlight: number | null };
export type DomainPacing = {
  rules: Array<{ name: string; domains: string[] } & DomainLimits>;
  otherDomains: DomainLimits;
};
export type RetentionSchedule = { lastRun: string | null; nextRun: string | null };

/** What erasing a person removes or anonymises, counted (GET /api/persons/:id/erasure). */
export type ErasurePlan = {
  personId: number;
  emails: number;
  interests: number;
  customFields: number;
  consents: number;
  consentHistory: number;
  subscriptions: number;
  selections: number;
  projects: number;
  deliveries: number;
  events: number;
  recipientRows: number;
  recipientImportRows: number;
  smsReceived: number;
};

export type SuppressionReason = "erased" | "unsubscribed" | "complained";
export type SuppressionCounts = { total: number; byReason: Record<SuppressionReason, number> };
export type SuppressionCheck = {
  suppressed: boolean;
  entry: { reason: SuppressionReason; createdAt: string; updatedAt: string } | null;
};

/** The legal bases an import can attest (not "withdrawn"). */
export type ImportLegalBasis = Exclude<LegalBasis, "withdrawn">;
export type { ImportIssue, PersonImportReport as ImportReport } from "../../../src/imports/api-schemas.ts";
export type ImportMapping = {
  id: number;
  name: string;
  columns: Record<string, string>;
  createdAt: string;
  updatedAt: string;
};
