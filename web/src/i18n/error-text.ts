// An API error in the UI's language: the sentence for its code (errors.codes.<CODE> in nb.json and en.json), with the
// details the server gave filled in. Where the server's own sentence names the specifics a person needs (which row,
// which image, what the mail server replied), it follows as the details.
import { ApiError } from "../api/client.ts";
import type { MessageKey, Translate } from "./i18n.tsx";

/** Codes whose server message says more than their sentence can (where, what exactly). */
const WITH_SPECIFICS = new Set([
  "VALIDATION_FAILED",
  "IMPORT_FILE_INVALID",
  "IMPORT_MAPPING_INVALID",
  "DOCUMENT_TEMPLATE_INVALID",
  "DOCUMENT_CONVERSION_FAILED",
  "SMTP_CONNECTION_FAILED",
  "SENDING_ACCOUNT_UNUSABLE",
  "BOUNCE_MAILBOX_FAILED",
  "CONFIG_INVALID",
]);

export function errorText(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const key = `errors.codes.${error.code}`;
  const sentence = t(key as MessageKey);
  if (sentence === key) return error.message;
  const details = (error.details ?? {}) as Record<string, unknown>;
  // "{name}" takes the detail of that name; " ({name})" goes away with it when the server gave none.
  const text = sentence.replace(
    / \(\{(\w+)\}\)|\{(\w+)\}/g,
    (_whole: string, inParens?: string, bare?: string) => {
      const value = details[(inParens ?? bare)!];
      if (typeof value !== "string" && typeof value !== "number") return "";
      return inParens ? ` (${value})` : String(value);
    },
  );
  return WITH_SPECIFICS.has(error.code) && error.message
    ? `${text} ${t("errors.detailsLabel")}: ${error.message}`
    : text;
}
