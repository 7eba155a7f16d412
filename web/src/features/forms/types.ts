// Shapes of the forms API (the contract in the forms brief: JSON, camelCase) as the web UI uses them. The definition
// and actions types come from the server's own module (type-only: nothing of the server is bundled).
import type {
  FormActions,
  FormDefinition,
  FormField,
  FreeFieldType,
  LocalText,
  MappedField,
} from "../../../../src/forms/definition.ts";

export type { FormActions, FormDefinition, FormField, FreeFieldType, LocalText, MappedField };

export type FormLanguage = "nb" | "en";
export type FormStatus = "draft" | "published" | "unpublished";
export type ProcessingMode = "automatic" | "automatic-if-match" | "manual";
export type InactiveReason = "unpublished" | "draft" | "date" | "count";

export const PROCESSING_MODES: ProcessingMode[] = ["automatic", "automatic-if-match", "manual"];

/** GET /api/forms/:id, and the answer of create, update, publish and unpublish. */
export type Form = {
  id: number;
  name: string;
  slug: string;
  language: FormLanguage;
  status: FormStatus;
  publishedVersion: number;
  definition: FormDefinition;
  processingMode: ProcessingMode;
  doubleOptIn: boolean;
  sendingAccountId: number | null;
  allowCompanyCreate: boolean;
  proofOfWork: boolean;
  thankYouText: string | null;
  redirectUrl: string | null;
  deactivateAt: string | null;
  deactivateAfter: number | null;
  actions: FormActions;
  hostedUrl: string;
  embed: { iframe: string; script: string };
  active: boolean;
  inactiveReason: InactiveReason | null;
  createdAt: string;
  updatedAt: string;
};

/** What PUT /api/forms/:id takes: any editable field of a form. */
export type FormUpdate = Partial<
  Pick<
    Form,
    | "name"
    | "slug"
    | "language"
    | "definition"
    | "processingMode"
    | "doubleOptIn"
    | "sendingAccountId"
    | "allowCompanyCreate"
    | "proofOfWork"
    | "thankYouText"
    | "redirectUrl"
    | "deactivateAt"
    | "deactivateAfter"
    | "actions"
  >
>;

export type FormSummary = {
  id: number;
  name: string;
  slug: string;
  language: FormLanguage;
  status: FormStatus;
  active: boolean;
  submissions: number;
  awaitingManual: number;
  updatedAt: string;
};

export type FormList = { forms: FormSummary[] };

export type SubmissionStatus =
  | "submitted"
  | "awaiting-confirmation"
  | "awaiting-manual"
  | "processed"
  | "rejected"
  | "expired";

/** The statuses a submission is stored with (SPEC §9); one waiting for manual processing is "submitted". */
export const SUBMISSION_STATUSES: SubmissionStatus[] = [
  "submitted",
  "awaiting-confirmation",
  "processed",
  "rejected",
  "expired",
];

export type SubmissionSummary = {
  id: number;
  version: number;
  status: SubmissionStatus;
  email: string | null;
  name: string | null;
  submittedAt: string;
  processedAt: string | null;
  personId: number | null;
  rejectReason: string | null;
};

export type SubmissionPage = {
  submissions: SubmissionSummary[];
  total: number;
  nextAfter: number | string | null;
};

export type Suggestion = {
  personId: number;
  name: string;
  email: string | null;
  companyName: string | null;
  reason: string;
};

export type SubmissionDetail = {
  id: number;
  version: number;
  status: SubmissionStatus;
  answers: Record<string, string | string[]>;
  fields: FormField[];
  ip: string | null;
  userAgent: string | null;
  submittedAt: string;
  confirmedAt: string | null;
  processedAt: string | null;
  personId: number | null;
  companyId: number | null;
  rejectReason: string | null;
  suggestions: Suggestion[];
};

export type FormStatistics = {
  views: number;
  submissions: number;
  confirmed: number;
  processed: number;
  rejected: number;
  expired: number;
  awaitingConfirmation: number;
  awaitingManual: number;
  conversion: number | null;
  days: Array<{ day: string; views: number; submissions: number; processed: number }>;
  refusals: Array<{ reason: string; count: number }>;
};

export type FormPreview = { html: string };
