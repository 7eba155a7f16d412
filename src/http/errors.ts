// Maps error codes to HTTP statuses and turns every failure into {error: {code, message, details}}.
import type { FastifyError, FastifyInstance } from "fastify";
import {
  AppError,
  type ErrorCode,
  type FieldProblem,
  type FieldProblemParams,
  VALIDATION_KINDS,
  type ValidationKind,
} from "../shared/errors.ts";

export const httpStatusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  REFERENCE_NOT_FOUND: 400,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  LOGIN_FAILED: 401,
  CURRENT_PASSWORD_WRONG: 403,
  RATE_LIMITED: 429,
  UNSUBSCRIBE_REMEMBERED: 409,
  CONSENT_SUPPRESSED: 409,
  SELECTION_CYCLE: 409,
  SELECTION_KIND_MISMATCH: 409,
  MAILING_NOT_EDITABLE: 409,
  MAILING_NOT_READY: 409,
  MAILING_WRONG_STATUS: 409,
  DELIVERY_WRONG_STATUS: 409,
  CONFIG_INVALID: 500,
  BOUNCE_MAILBOX_FAILED: 502,
  SENDING_ACCOUNT_UNUSABLE: 409,
  SMTP_CONNECTION_FAILED: 502,
  PAYLOAD_TOO_LARGE: 413,
  IMPORT_FILE_INVALID: 400,
  IMPORT_TOO_LARGE: 413,
  IMPORT_MAPPING_INVALID: 400,
  IMPORT_ROWS_INVALID: 422,
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_REPLAYED: 403,
  WEBHOOK_TOPIC_REFUSED: 403,
  WEBHOOK_CERTIFICATE_UNAVAILABLE: 502,
  DOCUMENT_TEMPLATE_INVALID: 400,
  IMAGE_INVALID: 415,
  DOCUMENT_CONVERSION_FAILED: 500,
  FORM_HAS_SUBMISSIONS: 409,
  FORM_SUBMISSION_WRONG_STATUS: 409,
  INTERNAL: 500,
};

/** Answers worth a line in the log: someone was turned away (who, from where, which route). */
const REFUSALS = new Set([401, 403]);

type AjvIssue = {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
};

const KINDS = new Set<string>(VALIDATION_KINDS);

/** The words a client fills in for an ajv issue: a bound, a format, the allowed values, a type. */
function paramsOf(issue: AjvIssue): FieldProblemParams | undefined {
  const p = issue.params ?? {};
  if (typeof p.limit === "number") return { limit: p.limit };
  if (typeof p.multipleOf === "number") return { limit: p.multipleOf };
  if (typeof p.format === "string") return { format: p.format };
  if (Array.isArray(p.allowedValues)) return { values: p.allowedValues.map(String).join(", ") };
  if (p.allowedValue !== undefined) return { values: String(p.allowedValue) };
  if (typeof p.type === "string") return { type: p.type };
  if (Array.isArray(p.type)) return { type: p.type.map(String).join(", ") };
  return undefined;
}

/**
 * Turns ajv's issues into field problems named as the API names fields (`emails[0].address`), each with its kind
 * (ajv's keyword) and params, so the web UI says them in its own language.
 */
export function fieldProblems(issues: AjvIssue[], context: string): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    let path = (issue.instancePath ?? "")
      .split("/")
      .filter(Boolean)
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join("")
      .replace(/^\./, "");
    if (issue.keyword === "required" && typeof issue.params?.missingProperty === "string")
      path = path ? `${path}.${issue.params.missingProperty}` : issue.params.missingProperty;
    if (issue.keyword === "additionalProperties" && typeof issue.params?.additionalProperty === "string") {
      path = path ? `${path}.${issue.params.additionalProperty}` : issue.params.additionalProperty;
      issue.message = "is not a known field";
    }
    const field = path || context;
    const message = issue.keyword === "required" ? "is required" : (issue.message ?? "is invalid");
    const key = `${field}:${message}`;
    // anyOf/const noise from unions says less than the first concrete issue for the same field
    if (seen.has(key) || (issue.keyword === "const" && problems.some((p) => p.field === field))) continue;
    seen.add(key);
    const kind = (issue.keyword && KINDS.has(issue.keyword) ? issue.keyword : "invalid") as ValidationKind;
    const params = kind === "required" || kind === "additionalProperties" ? undefined : paramsOf(issue);
    problems.push({ field, message, kind, ...(params ? { params } : {}) });
  }
  return problems;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(
    (error: FastifyError & { validation?: AjvIssue[]; validationContext?: string }, request, reply) => {
      if (error instanceof AppError) {
        const status = httpStatusOf[error.code];
        if (status >= 500) request.log.error({ err: error }, error.message);
        else if (REFUSALS.has(status) || error.code.startsWith("WEBHOOK_"))
          request.log.warn(
            { code: error.code, method: request.method, route: request.routeOptions.url, client: request.ip },
            `refused: ${error.message}`,
          );
        return reply
          .status(status)
          .send({ error: { code: error.code, message: error.message, details: error.details } });
      }
      if (error.validation) {
        const fields = fieldProblems(error.validation, error.validationContext ?? "body");
        const message = `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`;
        return reply.status(400).send({ error: { code: "VALIDATION_FAILED", message, details: { fields } } });
      }
      if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || error.statusCode === 413)
        return reply
          .status(413)
          .send({ error: { code: "PAYLOAD_TOO_LARGE", message: error.message, details: {} } });
      if (error.statusCode === 429)
        return reply
          .status(429)
          .send({ error: { code: "RATE_LIMITED", message: error.message, details: {} } });
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        // Malformed JSON, a wrong content type and the like: the body is what is wrong.
        const fields: FieldProblem[] = [{ field: "body", message: error.message, kind: "malformed" }];
        return reply.status(400).send({
          error: {
            code: "VALIDATION_FAILED",
            message: `Invalid input: ${error.message}`,
            details: { fields },
          },
        });
      }
      request.log.error({ err: error }, "unhandled error");
      return reply.status(500).send({ error: { code: "INTERNAL", message: "Internal error", details: {} } });
    },
  );
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: "NOT_FOUND",
        message: `No route ${request.method} ${request.url.split("?")[0]}`,
        details: {},
      },
    }),
  );
}
