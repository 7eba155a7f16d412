// Builds one delivery's raw RFC 5322 message and signs it with the sending domain's DKIM key. The bytes are
// MailComposer's; mime.ts writes them without its streams, and MailComposer itself is kept for the shapes mime.ts
// leaves to it and for the test that compares the two.
import { createPrivateKey, type KeyObject } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";
import { type FieldProblem, invalid } from "../../../shared/errors.ts";
import { dkimSign } from "./dkim.ts";
import { type MimeInput, writeMime, writesLean } from "./mime.ts";

export type MailAddress = { name?: string; address: string };

export type OutgoingMessage = {
  from: MailAddress;
  replyTo?: string;
  to: MailAddress;
  subject: string;
  html: string;
  text: string;
  attachments?: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** Without the angle brackets. */
  messageId: string;
  listUnsubscribe?: { url: string; mailto: string };
  feedbackId?: string;
  headers?: Record<string, string>;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
};

/**
 * What the DKIM signature covers (only the ones present are listed in h=). nodemailer's default list lacks
 * List-Unsubscribe-Post, and a mailbox provider ignores one-click unsubscribe unless both List-Unsubscribe
 * headers are signed (RFC 8058 §4).
 */
export const SIGNED_HEADERS = [
  "From",
  "To",
  "Subject",
  "Date",
  "Message-ID",
  "Reply-To",
  "MIME-Version",
  "Content-Type",
  "Content-Transfer-Encoding",
  "List-Unsubscribe",
  "List-Unsubscribe-Post",
  "Feedback-ID",
] as const;

/** Headers this module writes itself; `headers` may not set them. */
const OWN_HEADERS = new Set([
  ...SIGNED_HEADERS.map((h) => h.toLowerCase()),
  "sender",
  "cc",
  "bcc",
  "return-path",
  "dkim-signature",
  "in-reply-to",
  "references",
]);

// \p{Cc}: C0 (CR, LF, tab …), DEL and C1 (NEL); U+2028/2029 are the Unicode line and paragraph separators.
const LINE_BREAKS_AND_CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const CONTROLS = /[\p{Cc}\u2028\u2029]/u;
// Deliberately narrower than RFC 5321: no quoted local parts, no whitespace, controls or brackets anywhere.
const ADDRESS = /^[^\s\p{Cc}<>()[\]\\,;:"@]+@[^\s\p{Cc}<>()[\]\\,;:"@]+$/u;
const MESSAGE_ID = /^[\x21-\x7e]+@[\x21-\x7e]+$/;

export async function buildMessage(m: OutgoingMessage): Promise<Buffer> {
  const input = checked(m);
  const unsigned = writesLean(input) ? writeMime(input) : await compose(input);
  return m.dkim ? sign(unsigned, m.dkim) : unsigned;
}

/**
 * The same message through MailComposer's stream pipeline, which buildMessage's bytes must equal. `baseBoundary`
 * fixes the boundaries' random part (with the clock, the only things that differ between two builds).
 */
export async function buildMessageWithComposer(m: OutgoingMessage, baseBoundary?: string): Promise<Buffer> {
  const unsigned = await compose(checked(m), baseBoundary);
  return m.dkim ? sign(unsigned, m.dkim) : unsigned;
}

/** buildMessage with the boundaries' random part given, for the comparison with buildMessageWithComposer. */
export async function buildLeanMessage(m: OutgoingMessage, baseBoundary?: string): Promise<Buffer> {
  const input = checked(m);
  if (!writesLean(input)) return buildMessageWithComposer(m, baseBoundary);
  const unsigned = writeMime(input, baseBoundary);
  return m.dkim ? sign(unsigned, m.dkim) : unsigned;
}

/** The message checked (AppError VALIDATION listing every problem) and put in the shape both writers take. */
function checked(m: OutgoingMessage): MimeInput {
  const problems: FieldProblem[] = [];
  const from = address("from", m.from, problems);
  const to = address("to", m.to, problems);
  const replyTo = m.replyTo === undefined ? undefined : checkedAddress("replyTo", m.replyTo, problems);
  if (!MESSAGE_ID.test(m.messageId) || /[<>]/.test(m.messageId)) {
    problems.push({
      field: "messageId",
      message: "must be id@domain in printable ASCII, without <>",
      kind: "pattern",
    });
  }
  const headers: Array<{ key: string; value: string }> = [];
  for (const [key, value] of Object.entries(m.headers ?? {})) {
    if (!FIELD_NAME.test(key) || OWN_HEADERS.has(key.toLowerCase())) {
      problems.push({
        field: `headers.${key}`,
        message: "is not a header name utsend lets a caller set",
        kind: "not-allowed",
      });
    } else if (CONTROLS.test(value)) {
      problems.push({
        field: `headers.${key}`,
        message: "contains a line break or control character",
        kind: "one-line",
      });
    } else {
      headers.push({ key, value });
    }
  }
  if (m.listUnsubscribe) {
    const url = headerUri("listUnsubscribe.url", m.listUnsubscribe.url, ["https:", "http:"], problems);
    const mailto = headerUri("listUnsubscribe.mailto", m.listUnsubscribe.mailto, ["mailto:"], problems);
    headers.push({ key: "List-Unsubscribe", value: `<${url}>, <${mailto}>` });
    headers.push({ key: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" });
  }
  if (m.feedbackId !== undefined) {
    if (!PRINTABLE_ASCII.test(m.feedbackId) || !m.feedbackId.trim()) {
      problems.push({
        field: "feedbackId",
        message: "must be printable ASCII",
        kind: "allowed-characters",
        params: { characters: "ASCII" },
      });
    }
    headers.push({ key: "Feedback-ID", value: m.feedbackId.trim() });
  }
  if (problems.length) throw invalid(problems);
  return {
    from,
    to,
    replyTo,
    subject: displayText(m.subject),
    messageId: m.messageId,
    text: m.text,
    html: m.html,
    attachments: (m.attachments ?? []).map((a) => ({
      filename: displayText(a.filename),
      contentType: a.contentType,
      content: a.content,
    })),
    headers,
  };
}

function compose(input: MimeInput, baseBoundary?: string): Promise<Buffer> {
  const composer = new MailComposer({
    ...input,
    baseBoundary,
    newline: "\r\n",
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

async function sign(message: Buffer, dkim: NonNullable<OutgoingMessage["dkim"]>): Promise<Buffer> {
  const key = privateKey(dkim.privateKey);
  try {
    return await dkimSign(message, {
      domainName: dkim.domainName,
      keySelector: dkim.keySelector,
      privateKey: key,
      headerFieldNames: SIGNED_HEADERS.join(":"),
    });
  } catch (error) {
    throw new Error(`DKIM signing for ${dkim.domainName} produced no signature: ${(error as Error).message}`);
  }
}

// Parsing the PEM costs as much as the RSA signature itself (building with DKIM ran 1,100 msgs/s without this
// cache, 1,650 with it), so each sending domain's key is parsed once per process. Keyed by the PEM, so a
// rotated key is simply a new entry.
const parsedKeys = new Map<string, KeyObject>();

function privateKey(pem: string): KeyObject {
  let key = parsedKeys.get(pem);
  if (!key) {
    key = createPrivateKey(pem);
    // Node would sign with an EC key too, under the a=rsa-sha256 label, and every receiver would fail it.
    if (key.asymmetricKeyType !== "rsa") throw new Error(`DKIM key is ${key.asymmetricKeyType}, not RSA`);
    if (parsedKeys.size >= 100) parsedKeys.clear();
    parsedKeys.set(pem, key);
  }
  return key;
}

/** Text shown to people (names, subject): a line break or control character becomes a space. */
function displayText(value: string): string {
  return value.replace(LINE_BREAKS_AND_CONTROLS, " ").trim();
}

function address(field: string, a: MailAddress, problems: FieldProblem[]): MailAddress {
  const checked = checkedAddress(`${field}.address`, a.address, problems);
  const name = a.name === undefined ? "" : displayText(a.name);
  return name ? { name, address: checked } : { address: checked };
}

function checkedAddress(field: string, value: string, problems: FieldProblem[]): string {
  if (!ADDRESS.test(value))
    problems.push({
      field,
      message: "is not a plain e-mail address",
      kind: "format",
      params: { format: "email" },
    });
  return value;
}

/** A URI inside <…> in a header: only the listed schemes, and nothing that could end the bracket or line. */
function headerUri(field: string, value: string, schemes: string[], problems: FieldProblem[]): string {
  let href = "";
  try {
    const url = new URL(value);
    if (schemes.includes(url.protocol)) href = url.href.replaceAll(",", "%2C");
  } catch {
    // reported below
  }
  if (!href || !/^[\x21-\x7e]+$/.test(href) || /[<>]/.test(href)) {
    problems.push({
      field,
      message: `must be a ${schemes.join(" or ")} URI`,
      kind: "format",
      params: { format: "uri" },
    });
  }
  return href;
}
