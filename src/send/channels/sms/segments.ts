// How an SMS text becomes parts (SPEC §12): the GSM 03.38 alphabet, what counts 2, where a long text may be cut.
// Pure on purpose: the editor's live counter and the SMPP transport must agree on every part, so both use this file.
import type { SmsEncoding } from "./types.ts";

/** GSM 03.38 default alphabet, by septet value (0x1B is the escape to the extension table, not a character). */
export const GSM7_BASIC: string =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/** The extension table: each is sent as 0x1B followed by its code, so it counts 2. */
export const GSM7_EXTENSION: ReadonlyMap<string, number> = new Map([
  ["\f", 0x0a],
  ["^", 0x14],
  ["{", 0x28],
  ["}", 0x29],
  ["\\", 0x2f],
  ["[", 0x3c],
  ["~", 0x3d],
  ["]", 0x3e],
  ["|", 0x40],
  ["€", 0x65],
]);

const ESCAPE = 0x1b;
const BASIC = new Map<string, number>();
for (let i = 0; i < GSM7_BASIC.length; i++) if (i !== ESCAPE) BASIC.set(GSM7_BASIC[i]!, i);

/** Septets one character takes in GSM-7: 1, 2 (extension table), or 0 when it has no GSM-7 form. */
function septetsOf(char: string): 0 | 1 | 2 {
  if (BASIC.has(char)) return 1;
  if (GSM7_EXTENSION.has(char)) return 2;
  return 0;
}

export function smsEncodingOf(text: string): SmsEncoding {
  for (const char of text) if (septetsOf(char) === 0) return "ucs2";
  return "gsm7";
}

const SINGLE = { gsm7: 160, ucs2: 70 } as const;
const MULTI = { gsm7: 153, ucs2: 67 } as const;

export type SmsCount = {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  characters: number;
  parts: number;
  /** 160 or 153 (GSM-7), 70 or 67 (UCS-2). */
  perPart: number;
  /** What is left in the last part before another part is needed. */
  remaining: number;
};

export function countSms(text: string): SmsCount {
  const encoding = smsEncodingOf(text);
  const units = unitsOf(text, encoding);
  const characters = units.reduce((sum, u) => sum + u.size, 0);
  if (characters <= SINGLE[encoding]) {
    const parts = characters === 0 ? 0 : 1;
    return {
      encoding,
      characters,
      parts,
      perPart: SINGLE[encoding],
      remaining: SINGLE[encoding] - characters,
    };
  }
  const sizes = cut(units, MULTI[encoding]).map((part) => part.reduce((sum, u) => sum + u.size, 0));
  const perPart = MULTI[encoding];
  return {
    encoding,
    characters,
    parts: sizes.length,
    perPart,
    remaining: perPart - sizes[sizes.length - 1]!,
  };
}

export function splitSms(text: string): { encoding: SmsEncoding; parts: string[] } {
  const encoding = smsEncodingOf(text);
  const units = unitsOf(text, encoding);
  const characters = units.reduce((sum, u) => sum + u.size, 0);
  if (characters === 0) return { encoding, parts: [] };
  if (characters <= SINGLE[encoding]) return { encoding, parts: [text] };
  return { encoding, parts: cut(units, MULTI[encoding]).map((part) => part.map((u) => u.text).join("")) };
}

/** The smallest pieces a cut may not go through: a character (GSM-7, escape pairs included) or a code point (UCS-2). */
type Unit = { text: string; size: number };

function unitsOf(text: string, encoding: SmsEncoding): Unit[] {
  const units: Unit[] = [];
  // for…of walks code points, so a surrogate pair (an emoji) is one unit of size 2.
  for (const char of text)
    units.push({ text: char, size: encoding === "gsm7" ? septetsOf(char) : char.length });
  return units;
}

function cut(units: Unit[], perPart: number): Unit[][] {
  const parts: Unit[][] = [];
  let current: Unit[] = [];
  let size = 0;
  for (const unit of units) {
    if (size + unit.size > perPart) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(unit);
    size += unit.size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** One byte per septet, unpacked (SMPP data_coding 0); extension characters as 0x1B + code. Throws on a non-GSM character. */
export function encodeGsm7(text: string): Buffer {
  const bytes: number[] = [];
  for (const char of text) {
    const basic = BASIC.get(char);
    if (basic !== undefined) {
      bytes.push(basic);
      continue;
    }
    const extension = GSM7_EXTENSION.get(char);
    if (extension === undefined)
      throw new Error(`not in the GSM 03.38 alphabet: U+${char.codePointAt(0)?.toString(16)}`);
    bytes.push(ESCAPE, extension);
  }
  return Buffer.from(bytes);
}

/** UTF-16 big-endian, as SMPP data_coding 8 wants it. */
export function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, "utf16le").swap16();
}

// Typography that word processors and phones put in and that would turn a whole message into UCS-2 (70 per part
// instead of 160). Letters are never replaced: "ø" stays "ø", and a text with "ł" stays UCS-2.
const TYPOGRAPHY: ReadonlyArray<[RegExp, string]> = [
  [/[‘’‚‛′´`]/g, "'"],
  [/[“”„‟″«»]/g, '"'],
  [/[‐‑‒–—―−]/g, "-"],
  [/…/g, "..."],
  [/[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]/g, " "],
  [/[\u00ad\u200b-\u200d\u2060\ufeff]/g, ""],
  [/[•·]/g, "-"],
  [/\u2028|\u2029/g, "\n"],
];

/** The "GSM-7 normalising option" of SPEC §12: typographic quotes, dashes, ellipses and spaces as their GSM-7 forms. */
export function normalizeForGsm7(text: string): string {
  let result = text;
  for (const [pattern, replacement] of TYPOGRAPHY) result = result.replace(pattern, replacement);
  return result;
}
