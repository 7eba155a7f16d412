// Colours as e-mail HTML writes them inline, and the contrast between two of them by WCAG 2.1's relative luminance
// (success criterion 1.4.3). Pure.

/** Channels 0–255, alpha 0–1. */
export type Rgba = { r: number; g: number; b: number; a: number };

export const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 1 };
export const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };

// The names e-mail authors actually write; an unknown name is reported as unknown, never guessed.
const NAMED: Record<string, string> = {
  black: "000000",
  white: "ffffff",
  red: "ff0000",
  green: "008000",
  blue: "0000ff",
  yellow: "ffff00",
  orange: "ffa500",
  purple: "800080",
  navy: "000080",
  maroon: "800000",
  olive: "808000",
  teal: "008080",
  lime: "00ff00",
  aqua: "00ffff",
  cyan: "00ffff",
  fuchsia: "ff00ff",
  magenta: "ff00ff",
  silver: "c0c0c0",
  gray: "808080",
  grey: "808080",
  darkgray: "a9a9a9",
  darkgrey: "a9a9a9",
  dimgray: "696969",
  dimgrey: "696969",
  lightgray: "d3d3d3",
  lightgrey: "d3d3d3",
  gainsboro: "dcdcdc",
  whitesmoke: "f5f5f5",
  darkblue: "00008b",
  darkred: "8b0000",
  darkgreen: "006400",
  pink: "ffc0cb",
  gold: "ffd700",
};

/**
 * A CSS colour: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` (comma or space syntax), a common name,
 * or `transparent`. "inherit" for the keywords that take the parent's colour; null for anything else.
 */
export function parseColor(value: string): Rgba | "inherit" | null {
  const v = value.trim().toLowerCase();
  if (v === "inherit" || v === "currentcolor" || v === "initial" || v === "unset") return "inherit";
  if (v === "transparent") return { r: 0, g: 0, b: 0, a: 0 };
  const named = NAMED[v];
  if (named) return fromHex(named);
  if (/^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.test(v)) {
    const digits = v.slice(1);
    return fromHex(digits.length <= 4 ? [...digits].map((d) => d + d).join("") : digits);
  }
  const fn = /^rgba?\(\s*([^)]*)\)$/.exec(v);
  if (fn) {
    const parts = fn[1]!.split(/\s*[,/]\s*|\s+/).filter(Boolean);
    if (parts.length !== 3 && parts.length !== 4) return null;
    const channel = (p: string) => (p.endsWith("%") ? (Number.parseFloat(p) * 255) / 100 : Number(p));
    const [r, g, b] = parts.slice(0, 3).map(channel) as [number, number, number];
    const alpha = parts[3] === undefined ? 1 : channel(parts[3]) / (parts[3].endsWith("%") ? 255 : 1);
    if (![r, g, b, alpha].every(Number.isFinite)) return null;
    return { r: clamp(r, 255), g: clamp(g, 255), b: clamp(b, 255), a: clamp(alpha, 1) };
  }
  return null;
}

function fromHex(hex: string): Rgba {
  const n = (i: number) => Number.parseInt(hex.slice(i, i + 2), 16);
  return { r: n(0), g: n(2), b: n(4), a: hex.length === 8 ? n(6) / 255 : 1 };
}

const clamp = (n: number, max: number) => Math.min(max, Math.max(0, n));

/** `top` painted over an opaque `bottom`. */
export function over(top: Rgba, bottom: Rgba): Rgba {
  const mix = (t: number, b: number) => Math.round(t * top.a + b * (1 - top.a));
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

/** WCAG 2.1 relative luminance of an opaque colour. */
export function relativeLuminance(c: Rgba): number {
  const linear = (channel: number) => {
    const s = channel / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

/** (L1 + 0.05) / (L2 + 0.05), lighter over darker: 1 for equal colours, 21 for black on white. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export function toHex(c: Rgba): string {
  return `#${[c.r, c.g, c.b].map((n) => Math.round(n).toString(16).padStart(2, "0")).join("")}`;
}
