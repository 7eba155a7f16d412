// Writes a delivery's MIME bytes directly: the bytes MailComposer writes for the same input (message-lean.test.ts
// compares the two), made with nodemailer's own encoders as strings and Buffers, without MailComposer's stream
// pipeline per part, and with what stays the same across a mailing's recipients (sender, own headers, attachments)
// encoded once.
import { randomBytes } from "node:crypto";
import * as base64 from "nodemailer/lib/base64";
import {
  buildHeaderValue,
  foldLines,
  hasLongerLines,
  isPlainText,
  parseHeaderValue,
} from "nodemailer/lib/mime-funcs";
import MimeNode from "nodemailer/lib/mime-node";
import * as qp from "nodemailer/lib/qp";
import type { MailAddress } from "./message.ts";

/** A message as buildMessage hands it over: checked, display texts cleaned, its headers in MailComposer's order. */
export type MimeInput = {
  from: MailAddress;
  to: MailAddress;
  replyTo?: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  headers: Array<{ key: string; value: string }>;
};

// Two of MimeNode's helpers are not exported as functions; calling its own keeps the key casing (MIME-Version,
// Feedback-ID) and the Q-or-B choice exactly its, where a copy would drift on a nodemailer update.
type MimeNodeHelpers = {
  _normalizeHeaderKey(key: string): string;
  _getTextEncoding(value: string): "Q" | "B";
};
// Stateless for these calls: a node made without options encodes header values as MailComposer's nodes do.
const encoder = new MimeNode(false);
const helpers = encoder as unknown as MimeNodeHelpers;

const BOUNDARY_PREFIX = "--_NmP";
const LINE = 76;
// nodemailer's QP stream encodes its input this many bytes at a time (qp.Encoder's ENCODE_SLICE_SIZE).
const QP_SLICE = 64 * 1024;

/**
 * False for the shapes utsend never sends and the lean writer leaves to MailComposer rather than copy its rules
 * for: an attachment as the whole message (no text, no HTML), message/* attachments (sent unencoded), and an
 * attachment without a file name or content type (MailComposer derives them).
 */
export function writesLean(input: MimeInput): boolean {
  if (!input.text && !input.html && input.attachments.length === 1) return false;
  return input.attachments.every((a) => a.filename && a.contentType && !/^message\//i.test(a.contentType));
}

type Leaf = { contentType: string; transferEncoding?: string; body: string };
/** An attachment's part as it goes out, its header block included (see attachmentPart). */
type Encoded = { encoded: Buffer };
type Multipart = {
  multipart: "mixed" | "alternative";
  boundary: string;
  children: Array<Leaf | Encoded | Multipart>;
};

export function writeMime(input: MimeInput, baseBoundary = randomBytes(8).toString("hex")): Buffer {
  const boundary = (n: number) => `${BOUNDARY_PREFIX}-${baseBoundary}-Part_${n}`;
  const alternatives: Leaf[] = [];
  if (input.text) alternatives.push(textLeaf("text/plain; charset=utf-8", input.text));
  if (input.html) alternatives.push(textLeaf("text/html; charset=utf-8", input.html));
  const attached = input.attachments;
  // MailComposer numbers its nodes in the order it makes them: the root is 1, a nested alternative 2.
  let root: Leaf | Multipart;
  if (attached.length > 1 || (alternatives.length > 0 && attached.length === 1)) {
    const first: Multipart["children"] =
      alternatives.length > 1
        ? [{ multipart: "alternative", boundary: boundary(2), children: alternatives }]
        : alternatives;
    root = {
      multipart: "mixed",
      boundary: boundary(1),
      children: [...first, ...attached.map(attachmentPart)],
    };
  } else if (alternatives.length > 1) {
    root = { multipart: "alternative", boundary: boundary(1), children: alternatives };
  } else {
    root = alternatives[0] ?? { contentType: "text/plain", body: "" };
  }

  const head: string[] = [];
  for (const { key, value } of input.headers) {
    const line = key === "List-Unsubscribe" ? headerLine(key, value) : remembered(key, value, headerLine);
    if (line) head.push(line);
  }
  head.push(remembered("From", input.from, headerLine));
  head.push(headerLine("To", { ...input.to }));
  if (input.replyTo) head.push(remembered("Reply-To", input.replyTo, headerLine));
  if (input.subject) head.push(headerLine("Subject", input.subject));
  head.push(headerLine("Message-ID", input.messageId));
  if ("body" in root && root.transferEncoding)
    head.push(`Content-Transfer-Encoding: ${root.transferEncoding}`);
  head.push(`Date: ${new Date().toUTCString().replace(/GMT/, "+0000")}`);
  head.push("MIME-Version: 1.0");
  head.push(contentTypeLine(root));

  const out: Array<string | Buffer> = [`${head.join("\r\n")}\r\n\r\n`];
  if ("body" in root) {
    out.push(root.body);
    out.push(lastNewline(root.body));
  } else writeChildren(root, out);
  return Buffer.concat(out.map((chunk) => (typeof chunk === "string" ? Buffer.from(chunk) : chunk)));
}

function writeChildren(part: Multipart, out: Array<string | Buffer>): void {
  part.children.forEach((child, i) => {
    out.push(`${i > 0 ? "\r\n" : ""}--${part.boundary}\r\n`);
    if ("encoded" in child) out.push(child.encoded);
    else if ("body" in child) {
      const cte = child.transferEncoding ? `\r\nContent-Transfer-Encoding: ${child.transferEncoding}` : "";
      out.push(`${contentTypeLine(child)}${cte}\r\n\r\n`, child.body);
    } else {
      out.push(`${contentTypeLine(child)}\r\n\r\n`);
      writeChildren(child, out);
    }
  });
  out.push(`\r\n--${part.boundary}--\r\n`);
}

function contentTypeLine(part: Leaf | Multipart): string {
  const value =
    "body" in part
      ? part.contentType
      : buildHeaderValue({ value: `multipart/${part.multipart}`, params: { boundary: part.boundary } });
  return foldLines(`Content-Type: ${value}`, LINE);
}

/** MimeNode's choice for a string body: 7bit when it can, else QP or base64 by which has fewer bytes to escape. */
function textLeaf(contentType: string, content: string): Leaf {
  if (isPlainText(content) && !hasLongerLines(content, LINE))
    return { contentType, transferEncoding: "7bit", body: crlf(content) };
  if (helpers._getTextEncoding(content) === "Q")
    return {
      contentType,
      transferEncoding: "quoted-printable",
      body: crlf(quotedPrintable(Buffer.from(content))),
    };
  return { contentType, transferEncoding: "base64", body: base64.wrap(base64.encode(content), LINE) };
}

// Keyed by the attachment's Buffer, which a prepared mailing shares between its deliveries; then by name and type.
const encodedAttachments = new WeakMap<Buffer, Map<string, Buffer>>();

/** An attachment's whole part, header block and base64 lines, made once per Buffer, name and type. */
function attachmentPart(a: MimeInput["attachments"][number]): Encoded {
  let byName = encodedAttachments.get(a.content);
  if (!byName) {
    byName = new Map();
    encodedAttachments.set(a.content, byName);
  }
  const key = `${a.contentType}\n${a.filename}`;
  let part = byName.get(key);
  if (!part) {
    // The part's headers (file name in RFC 2231 and RFC 2047 forms, Content-Disposition) from a MimeNode set up
    // as MailComposer sets up an attachment's node; its header block needs no stream.
    const node = new MimeNode("multipart/mixed").createChild(a.contentType, { filename: a.filename });
    node.setHeader("Content-Transfer-Encoding", "base64");
    node.setHeader("Content-Disposition", "attachment");
    node.setContent(a.content);
    part = Buffer.from(`${node.buildHeaders()}\r\n\r\n${base64.wrap(base64.encode(a.content), LINE)}`);
    byName.set(key, part);
  }
  return { encoded: part };
}

type HeaderValue = string | MailAddress;

/** One header field as MimeNode writes it: the key cased its way, the value encoded, folded at 76; "" when blank. */
function headerLine(name: string, value: HeaderValue): string {
  const key = helpers._normalizeHeaderKey(name);
  let raw = value;
  // MimeNode rebuilds a Content-Disposition from its parts, dropping comments, before encoding it.
  if (key === "Content-Disposition" && typeof raw === "string")
    raw = buildHeaderValue(parseHeaderValue(raw, { stripComments: true }));
  const encoded = encoder.encodeHeaderValue(key, raw);
  return encoded.trim() ? foldLines(`${key}: ${encoded}`, LINE) : "";
}

// Header lines that are the same for every recipient of a mailing (From, Reply-To, the caller's own headers),
// keyed by name and value; cleared when full, since a process sends few mailings at a time.
const headerLines = new Map<string, string>();

function remembered(
  name: string,
  value: HeaderValue,
  make: (name: string, value: HeaderValue) => string,
): string {
  const key =
    typeof value === "string" ? `${name}\0${value}` : `${name}\0${value.name ?? ""}\0${value.address}`;
  let line = headerLines.get(key);
  if (line === undefined) {
    // encodeHeaderValue normalises an address object in place; the caller's stays as given.
    line = make(name, typeof value === "string" ? value : { ...value });
    if (headerLines.size >= 1000) headerLines.clear();
    headerLines.set(key, line);
  }
  return line;
}

/**
 * The bytes nodemailer's QP stream (qp.Encoder, 76-character lines) gives for one chunk: whitespace that ends the
 * input is held back and encoded last, the rest is encoded 64 KiB at a time, and each slice is wrapped together with
 * the previous slice's unfinished last line.
 */
function quotedPrintable(input: Buffer): string {
  let end = input.length;
  while (end > 0 && (input[end - 1] === 0x20 || input[end - 1] === 0x09)) end--;
  let body = input;
  let held: Buffer | undefined;
  if (input.length - end <= QP_SLICE) {
    body = input.subarray(0, end);
    if (end < input.length) held = input.subarray(end);
  }
  const out: string[] = [];
  let line = "";
  const encodeSlices = (bytes: Buffer) => {
    for (let start = 0; start < bytes.length; start += QP_SLICE) {
      const stop = Math.min(start + QP_SLICE, bytes.length);
      const wrapped = qp.wrap(line + qpSlice(bytes.subarray(start, stop), bytes[stop]), LINE);
      const lastLf = wrapped.lastIndexOf("\n");
      out.push(wrapped.slice(0, lastLf + 1));
      line = wrapped.slice(lastLf + 1);
    }
  };
  encodeSlices(body);
  if (held) encodeSlices(held);
  out.push(line);
  return out.join("");
}

/**
 * qp.encode for a slice the byte `next` follows: trailing whitespace stays literal unless a line break or the end
 * follows it. qp.encode only knows the end, so a literal stand-in for `next` is encoded along and cut off again.
 */
function qpSlice(slice: Buffer, next: number | undefined): string {
  const last = slice[slice.length - 1];
  if (next === undefined || next === 0x0a || next === 0x0d || (last !== 0x20 && last !== 0x09))
    return qp.encode(slice);
  return qp.encode(Buffer.concat([slice, Buffer.from("x")])).slice(0, -1);
}

/** What nodemailer's line-ending stream does to a text body: every bare LF becomes CRLF. */
function crlf(text: string): string {
  return text.includes("\n") ? text.replace(/\r?\n/g, "\r\n") : text;
}

/** nodemailer ends a message with a line break unless its last byte already is one (or completes one after CR). */
function lastNewline(body: string): string {
  const last = body.charCodeAt(body.length - 1);
  if (body.length === 0 || last === 0x0a) return "";
  return last === 0x0d ? "\n" : "\r\n";
}
