// Reads RFC 3464 / RFC 6533 delivery-status fields: per-message fields and one record per recipient.

export type DsnRecipient = {
  originalRecipient: string | null;
  finalRecipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
};

export type DeliveryStatus = { perMessage: Map<string, string>; recipients: DsnRecipient[] };

const RECORD_FIELDS = new Set(["original-recipient", "final-recipient", "action", "status"]);
const FIELD = /^([A-Za-z][\w-]*):[ \t]*(.*)$/;
const DSN_FIELDS = /^(?:Reporting-MTA|Final-Recipient|Original-Recipient|Received-From-MTA|Arrival-Date):/im;

export function parseDeliveryStatus(body: string): DeliveryStatus {
  const blocks: Array<Array<[string, string]>> = [[]];
  for (const line of unfold(body)) {
    if (line.trim() === "") {
      if ((blocks[blocks.length - 1] ?? []).length > 0) blocks.push([]);
      continue;
    }
    const m = FIELD.exec(line);
    if (m?.[1]) blocks[blocks.length - 1]?.push([m[1].toLowerCase(), (m[2] ?? "").trim()]);
  }

  const perMessage = new Map<string, string>();
  const recipients: DsnRecipient[] = [];
  for (const block of blocks) {
    const isRecipient = block.some(
      ([k]) => k === "final-recipient" || k === "original-recipient" || k === "action",
    );
    if (!isRecipient) {
      if (recipients.length === 0) for (const [k, v] of block) if (!perMessage.has(k)) perMessage.set(k, v);
      continue;
    }
    let current: DsnRecipient | null = null;
    let seen = new Set<string>();
    for (const [k, v] of block) {
      // Some servers run several recipients together without the blank line between them: a field that
      // repeats starts the next recipient.
      if (!current || (RECORD_FIELDS.has(k) && seen.has(k))) {
        seen = new Set();
        current = {
          originalRecipient: null,
          finalRecipient: null,
          action: null,
          status: null,
          diagnostic: null,
        };
        recipients.push(current);
      }
      seen.add(k);
      if (k === "original-recipient") current.originalRecipient = v;
      else if (k === "final-recipient") current.finalRecipient = v;
      else if (k === "action") current.action = v;
      else if (k === "status") current.status = v;
      else if (k === "diagnostic-code") current.diagnostic = v;
    }
  }
  return { perMessage, recipients };
}

/** Normalises a DSN Action, including the non-standard "failure" and "expired" some servers write. */
export function dsnAction(value: string | null): "failed" | "delayed" | "other" | null {
  if (!value) return null;
  const v = value.trim().toLowerCase();
  if (v.startsWith("fail") || v.startsWith("expired")) return "failed";
  if (v.startsWith("delay")) return "delayed";
  return "other";
}

/**
 * The address of an "rfc822; addr" or "utf-8; addr" field. Anything that is not an Internet address (an X.400
 * address, a broken "rfc822; @host") gives null, so the caller falls back to another source.
 */
export function dsnAddress(value: string | null): string | null {
  if (!value) return null;
  let v = value.trim();
  const typed = /^([\w-]+)\s*;\s*(.*)$/.exec(v);
  if (typed?.[1]) {
    if (!/^(?:rfc822|utf-8|unknown)$/i.test(typed[1])) return null;
    v = typed[2] ?? "";
  }
  v = v
    .replace(/^<|>$/g, "")
    .replace(/\s+\(.*\)$/, "")
    .trim();
  return /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(v) ? v : null;
}

/**
 * Finds DSN fields written as plain text (no MIME, or MIME with a broken structure) and returns the text from
 * the first of them, or null when there are none.
 */
export function findInlineDeliveryStatus(text: string): string | null {
  const m = DSN_FIELDS.exec(text);
  if (!m) return null;
  const rest = text.slice(m.index);
  return /^Final-Recipient:/im.test(rest) && /^(?:Action|Status):/im.test(rest) ? rest : null;
}

function unfold(body: string): string[] {
  const out: string[] = [];
  for (const line of body.replace(/\r\n?/g, "\n").split("\n")) {
    if (/^[ \t]+\S/.test(line) && out.length > 0 && (out[out.length - 1] ?? "").trim() !== "") {
      out[out.length - 1] = `${out[out.length - 1]} ${line.trim()}`;
    } else {
      out.push(line);
    }
  }
  return out;
}
