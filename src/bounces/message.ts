// Turns raw bytes into what the classifier reads: headers, the report's text, report parts, returned copy.
import PostalMime from "postal-mime";

export type Header = { key: string; value: string };

export type ParsedMessage = {
  headers: Header[];
  subject: string;
  /** The human-readable report (text/plain, or text/html flattened), without any attached message. */
  text: string;
  /** Bodies of message/delivery-status and message/global-delivery-status parts. */
  deliveryStatus: string[];
  /** Bodies of message/feedback-report parts (ARF). */
  feedbackReports: string[];
  /** The returned original: message/rfc822, text/rfc822-headers and similar parts, as text. */
  returned: string[];
};

const utf8 = new TextDecoder("utf-8");

export function header(headers: Header[], key: string): string | undefined {
  return headers.find((h) => h.key === key)?.value;
}

export function headerAll(headers: Header[], key: string): string[] {
  return headers.filter((h) => h.key === key).map((h) => h.value);
}

/**
 * Reads a header block (up to the first empty line), unfolding continuation lines; quoted "> " prefixes go.
 * Returned copies are often mangled (a separator line first, a folded line without its indent), so a line
 * that is not a field is skipped before the first field and joined to the previous field after it.
 */
export function parseHeaderBlock(text: string): Header[] {
  const lines = text.replace(/\r/g, "").split("\n", 2000);
  const quoted = /^>/.test(lines.find((l) => l.trim() !== "") ?? "");
  const out: Header[] = [];
  for (const raw of lines) {
    const line = quoted ? raw.replace(/^> ?/, "") : raw;
    if (line.trim() === "") {
      if (out.length > 0) break;
      continue;
    }
    const m = /^([!-9;-~]{1,100}):[ \t]*(.*)$/.exec(line);
    const last = out[out.length - 1];
    if (m?.[1] && !/^[ \t]/.test(line)) out.push({ key: m[1].toLowerCase(), value: (m[2] ?? "").trim() });
    else if (last) last.value = `${last.value} ${line.trim()}`;
  }
  return out;
}

/**
 * Parses a message; throws only on input postal-mime itself rejects (the caller turns that into "unknown").
 */
export async function readMessage(raw: Uint8Array | string): Promise<ParsedMessage> {
  let bytes = stripMboxLine(typeof raw === "string" ? new TextEncoder().encode(raw) : raw);
  let email = await PostalMime.parse(bytes, {
    forceRfc822Attachments: true,
    attachmentEncoding: "arraybuffer",
  });
  if (!email.text && !email.html && email.attachments.length === 0) {
    // A Content-Type boundary that matches no line in the body (seen in the wild) leaves every part unread.
    const repaired = repairBoundary(bytes);
    if (repaired) {
      bytes = repaired;
      email = await PostalMime.parse(bytes, {
        forceRfc822Attachments: true,
        attachmentEncoding: "arraybuffer",
      });
    }
  }

  const deliveryStatus: string[] = [];
  const feedbackReports: string[] = [];
  const returned: string[] = [];
  const extraText: string[] = [];
  for (const a of email.attachments) {
    const type = a.mimeType.toLowerCase();
    const body = typeof a.content === "string" ? a.content : utf8.decode(a.content);
    if (type === "message/delivery-status" || type === "message/global-delivery-status")
      deliveryStatus.push(body);
    else if (type === "message/feedback-report") feedbackReports.push(body);
    else if (
      /^(?:message\/(?:rfc822|global|rfc822-headers|global-headers)|text\/rfc822-headers?)$/.test(type)
    ) {
      returned.push(body);
    } else if (type === "text/plain" || type === "text/html") {
      extraText.push(type === "text/html" ? htmlToText(body) : body);
    }
  }

  let text = email.text ?? (email.html ? htmlToText(email.html) : "");
  if (!text.trim() && extraText.length > 0) text = extraText.join("\n");
  if (!text.trim() && deliveryStatus.length === 0 && feedbackReports.length === 0 && returned.length === 0) {
    // Multipart with no part found at all: the raw body is all there is to read (DSN fields included).
    const raw = utf8.decode(bytes);
    const bodyStart = raw.search(/\r?\n\r?\n/);
    text = bodyStart < 0 ? "" : raw.slice(bodyStart).replace(/^\s+/, "");
  }

  return {
    headers: email.headers.map((h) => ({ key: h.key, value: h.value })),
    subject: email.subject ?? "",
    text: text.replace(/\r\n?/g, "\n"),
    deliveryStatus,
    feedbackReports,
    returned,
  };
}

// Mbox files start with a "From sender date" separator that is not a header; a parser would take it for one.
function stripMboxLine(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 5 && bytes[0] === 0x46 && utf8.decode(bytes.subarray(0, 5)) === "From ") {
    const nl = bytes.indexOf(0x0a);
    return nl < 0 ? new Uint8Array(0) : bytes.subarray(nl + 1);
  }
  return bytes;
}

function repairBoundary(bytes: Uint8Array): Uint8Array | null {
  const s = Buffer.from(bytes).toString("latin1");
  const headerEnd = s.search(/\r?\n\r?\n/);
  if (headerEnd < 0) return null;
  const head = s.slice(0, headerEnd);
  const declared = /boundary\s*=\s*"?([^";\r\n]+)"?/i.exec(head);
  if (!declared?.[1]) return null;
  const found = /^--([^\s]{6,}?)(?:--)?[ \t]*\r?$/m.exec(s.slice(headerEnd));
  if (!found?.[1] || found[1] === declared[1]) return null;
  const fixed = head.replace(declared[0], `boundary="${found[1]}"`) + s.slice(headerEnd);
  return new Uint8Array(Buffer.from(fixed, "latin1"));
}

const ENTITIES: Record<string, string> = { nbsp: " ", lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function htmlToText(html: string): string {
  return html
    .replace(/<(?:style|script|head)[^>]*>[\s\S]*?<\/(?:style|script|head)>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(?:p|div|tr|li|h\d)>/gi, "\n")
    .replace(/<[^<>]*>/g, "")
    .replace(/&(#\d{1,7}|#x[\da-f]{1,6}|\w{1,10});/gi, (whole, name: string) => {
      if (!name.startsWith("#")) return ENTITIES[name.toLowerCase()] ?? whole;
      const code = /^#x/i.test(name) ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
}
