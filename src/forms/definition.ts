// What a form asks (SPEC §9): its fields in order, each either mapped to a person/company field, a consent or
// subscription check-box, or a free field. Stored as JSON in forms.definition (the draft) and form_versions (published).
// Pure: no I/O.

/** CRM fields a form field may fill. Custom person fields are `custom:<custom_fields.id>`. */
export const MAPPED_FIELDS = [
  "first_name",
  "last_name",
  "email",
  "mobile",
  "title",
  "company_name",
  "street",
  "postcode",
  "city",
  "country",
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number] | `custom:${number}`;

export const FREE_FIELD_TYPES = ["text", "long-text", "choice", "multi-choice", "date", "hidden"] as const;
export type FreeFieldType = (typeof FREE_FIELD_TYPES)[number];

export type LocalText = { nb: string; en: string };

type FieldBase = {
  /** Stable within the form: the answer's key, the HTML name and `[[form.<key>]]`. Letters, digits, _ and -. */
  key: string;
  label: LocalText;
  help?: LocalText;
  required: boolean;
};

export type FormField =
  | (FieldBase & { kind: "mapped"; maps: MappedField; prefill: boolean })
  | (FieldBase & { kind: "consent"; purposeKey: string; text: LocalText })
  | (FieldBase & { kind: "subscription"; subscriptionTypeId: number })
  | (FieldBase & { kind: "free"; type: FreeFieldType; options?: LocalText[]; prefill: boolean });

export type FormDefinition = { fields: FormField[] };

/** A submission's answers: a field key → its value; a multi-choice gives every chosen option, a check-box "on" or "". */
export type FormAnswers = Record<string, string | string[]>;

/** What processing a submission does besides writing the person (SPEC §9, "Actions on processing"). */
export type FormActions = {
  addToSelectionIds: number[];
  addToProjectIds: number[];
  addInterests: string[];
  removeInterests: string[];
  /** Subscribed on processing whether or not the form shows a subscription check-box. */
  subscribeTypeIds: number[];
  /** Users told by e-mail that a submission was processed (or waits for manual processing). */
  notifyUserIds: number[];
  /** The form-response mailing (type "form", mailings.form_id = this form) answers each processed submission. */
  responseMailingId: number | null;
};

export const NO_ACTIONS: FormActions = {
  addToSelectionIds: [],
  addToProjectIds: [],
  addInterests: [],
  removeInterests: [],
  subscribeTypeIds: [],
  notifyUserIds: [],
  responseMailingId: null,
};
