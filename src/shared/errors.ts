// The catalogue of stable error codes: every failure the API and CLI report carries one of these.
export const errorCatalogue = {
  VALIDATION_FAILED: "The input is invalid; `details.fields` names each field and what is wrong with it.",
  NOT_FOUND: "The addressed resource does not exist.",
  REFERENCE_NOT_FOUND: "The input refers to an id that does not exist; `details.field` names it.",
  CONFLICT:
    "The change conflicts with existing data (a duplicate name or address); `details.field` names it.",
  UNAUTHENTICATED: "No valid session cookie or API key was sent.",
  FORBIDDEN: "The signed-in user's role does not grant this right; `details.right` names it.",
  CSRF_FAILED: "A cookie-authenticated write came without the matching `x-csrf-token` header.",
  LOGIN_FAILED: "The e-mail address or password is wrong.",
  CURRENT_PASSWORD_WRONG:
    "A password change was refused because the current password given with it is wrong; nothing changed.",
  RATE_LIMITED: "Too many attempts; wait and try again.",
  UNSUBSCRIBE_REMEMBERED: "The person unsubscribed from this type; only the person can subscribe again.",
  CONSENT_SUPPRESSED:
    "The address is on the suppression list (erased, unsubscribed from all marketing or complained): consent for e-marketing needs `newConsent: true` and a comment saying where the new consent came from.",
  SELECTION_CYCLE: "A combined selection would include itself.",
  SELECTION_KIND_MISMATCH:
    "The operation does not fit the selection's kind (e.g. adding members to a dynamic one).",
  MAILING_NOT_EDITABLE: "The mailing has started sending (or ended) and can no longer be changed.",
  MAILING_NOT_READY: "The mailing cannot be sent yet; `details.problems` lists every blocking problem.",
  MAILING_WRONG_STATUS:
    "The action does not fit the mailing's status (e.g. resuming a mailing that is not paused).",
  DELIVERY_WRONG_STATUS:
    "The action does not fit the delivery's status (e.g. resolving a delivery that is not unknown).",
  CONFIG_INVALID: "The configuration (environment or config file) is invalid; every problem is listed.",
  BOUNCE_MAILBOX_FAILED:
    "The bounce mailbox (IMAP) could not be reached, logged in to or opened; `details.cause` says why.",
  SENDING_ACCOUNT_UNUSABLE:
    "The sending account cannot send as configured (no EHLO name it may give, a TLS mode its host does not allow); `details.problems` lists each.",
  SMTP_CONNECTION_FAILED:
    "A test connection to the sending account's SMTP server failed; `details.stage` (connect, tls, auth) says where and `details.reply` gives the server's reply.",
  PAYLOAD_TOO_LARGE: "The request body is larger than allowed.",
  IMPORT_FILE_INVALID:
    "The import file cannot be read (not CSV or XLSX, a broken zip, a cell or record over the size limit); `details` says where.",
  IMPORT_TOO_LARGE:
    "The import file, or an XLSX file's uncompressed contents, is larger than allowed; `details.limit` gives the limit.",
  IMPORT_MAPPING_INVALID:
    "The column mapping is invalid (an unknown field, two columns for one field, no e-mail column); `details.fields` lists each problem.",
  IMPORT_ROWS_INVALID:
    "An all-or-nothing import was refused because rows are invalid; nothing was written. `details.report` is the dry-run report.",
  WEBHOOK_SIGNATURE_INVALID:
    "A provider webhook's signature, secret or SNS signing certificate did not verify (or the certificate URL is not an AWS SNS host); nothing was stored. `details.field` names what failed.",
  WEBHOOK_REPLAYED:
    "A provider webhook's signed timestamp is outside the replay window, or its signature was used before; nothing was stored.",
  WEBHOOK_TOPIC_REFUSED: "An SNS message came from a topic not in UTSEND_SES_TOPIC_ARNS; nothing was stored.",
  WEBHOOK_CERTIFICATE_UNAVAILABLE:
    "The SNS signing certificate (or the subscription confirmation URL) could not be fetched; the provider should retry.",
  DOCUMENT_TEMPLATE_INVALID:
    "The uploaded Word template cannot be used (not a DOCX, too large when unpacked, a merge field that never closes or does not parse); `details` says where.",
  IMAGE_INVALID:
    "The upload is not an image the library takes (JPEG, PNG, GIF or WebP that can be decoded, within the pixel limit); `details.field` is `body`.",
  DOCUMENT_CONVERSION_FAILED:
    "LibreOffice could not convert the merged document to PDF (it timed out, failed or wrote nothing); `details.cause` says why.",
  FORM_HAS_SUBMISSIONS:
    "The form has received submissions and cannot be deleted (they would go with it); unpublish it instead. `details.submissions` gives how many.",
  FORM_SUBMISSION_WRONG_STATUS:
    "The form submission is not waiting for processing (already processed, rejected, expired or awaiting confirmation); `details.status` gives its status.",
  INTERNAL: "An unexpected error; the server log has the details.",
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/**
 * What is wrong with a field, as a word a client can say in its own language (the web UI: errors.validation.<kind>),
 * with `params` to fill in. The request-schema kinds are ajv's keywords and are reused where a feature's rule says
 * exactly the same (`required`, `enum`, `maxLength`, `format`, …); the rest name one of the features' own rules.
 * `invalid` is left only for an ajv keyword outside this list (anyOf, oneOf, not, if), which only `message` explains.
 */
export const VALIDATION_KINDS = [
  // ajv's keywords
  "required",
  "type",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "format",
  "enum",
  "const",
  "pattern",
  "additionalProperties",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  // the server's own
  "empty",
  "malformed",
  "invalid",
  // values that are not what they must be
  "not-a-date",
  "not-a-number",
  "not-a-boolean",
  "not-a-phone",
  "not-a-mobile",
  "not-a-domain",
  "not-a-host",
  "not-a-fqdn",
  "not-a-language",
  "not-a-country",
  "not-a-time-zone",
  "not-a-colour",
  "not-an-image",
  "not-a-certificate",
  "not-a-file-name",
  "not-an-sms-sender",
  "allowed-characters",
  "forbidden-characters",
  "one-line",
  "starts-with",
  "needs-https",
  "too-large",
  // references and lists
  "unknown-reference",
  "unknown-field",
  "unknown-column",
  "needs-column",
  "mapped-twice",
  "one-primary",
  // how fields go together
  "needs-value",
  "not-allowed",
  "conflicts-with",
  "exactly-one",
  "requires",
  "cannot-change",
  "needs-confirmation",
  "name-or-email",
  "same-address",
  "period-reversed",
  "in-the-past",
  "tls-mode",
  "needs-email-field",
  "email-field-required",
  // the state of what the request acts on
  "wrong-mailing-type",
  "needs-static-selection",
  "no-recipient",
  "no-postal-address",
  "other-form",
  "not-processed",
  "needs-body",
  // templates and letters
  "template-syntax",
  "template-limit",
  "letter-image",
] as const;
export type ValidationKind = (typeof VALIDATION_KINDS)[number];

/** The things an `unknown-reference` can name; the web UI has a word for each (errors.validationReferences). */
export const REFERENCE_WHATS = [
  "customField",
  "consentPurpose",
  "subscriptionType",
  "mailing",
  "link",
  "form",
  "warning",
] as const;
export type ReferenceWhat = (typeof REFERENCE_WHATS)[number];

/**
 * limit: a length, size, count or bound; format: ajv's format name; values: the allowed values (or the other
 * fields), comma-separated; type: the JSON type wanted; what + id: the thing an unknown reference names; name: a
 * column or field name as given; characters: the characters allowed or refused; line + column: where in a template;
 * given: the value or values refused, as given (comma-separated), where the field holds several.
 */
export type FieldProblemParams = {
  limit?: number;
  format?: string;
  values?: string;
  type?: string;
  what?: ReferenceWhat;
  id?: string | number;
  name?: string;
  characters?: string;
  line?: number;
  column?: number;
  given?: string;
};

export type FieldProblem = {
  field: string;
  /** The server's sentence, in English: for logs, the CLI and clients that do not read `kind`. */
  message: string;
  /** Required: a rule that sends no kind leaves the UI nothing to say in its own language. */
  kind: ValidationKind;
  params?: FieldProblemParams;
};

/** A rule's verdict before it knows the field's name (a helper shared by several fields or features). */
export type RuleProblem = Omit<FieldProblem, "field">;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

export function invalid(fields: FieldProblem[]): AppError {
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return new AppError("VALIDATION_FAILED", `Invalid input: ${summary}`, {
    fields,
  });
}

/** VALIDATION_FAILED with a sentence of its own and other details beside the typed `fields` (a template's line). */
export function validationFailed(
  message: string,
  fields: FieldProblem[],
  details: Record<string, unknown> = {},
): AppError {
  return new AppError("VALIDATION_FAILED", message, { ...details, fields });
}

export function notFound(what: string, id: number | string): AppError {
  return new AppError("NOT_FOUND", `${what} ${id} does not exist`, { resource: what, id });
}

export function missingReference(field: string, what: string, id: number): AppError {
  return new AppError("REFERENCE_NOT_FOUND", `${field}: ${what} ${id} does not exist`, { field, id });
}

export function conflict(field: string, message: string): AppError {
  return new AppError("CONFLICT", `${field}: ${message}`, { field });
}
