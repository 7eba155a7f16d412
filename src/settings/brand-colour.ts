// The letterhead's brand colour and the colours derived from it for the hosted form page (SPEC §9: "the company's
// logo and colours"). Only the brand colour is stored; what is drawn on it is computed here, so an admin cannot
// choose a pair that fails WCAG AA. Pure: the web's Settings page shows the same preview.

/** `#rrggbb`: the one form stored, so every reader parses it the same way. */
export const BRAND_COLOUR_PATTERN = /^#[0-9a-f]{6}$/i;

export const WHITE = "#ffffff";
export const BLACK = "#000000";
/** The page's text colour: the focus ring when the brand colour is too light to show one on white. */
export const PAGE_TEXT = "#1f2933";

export function isBrandColour(value: string): boolean {
  return BRAND_COLOUR_PATTERN.test(value);
}

function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** WCAG 2.1's relative luminance of an sRGB colour. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.1's contrast ratio, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * White or black, whichever contrasts more with the brand colour. One of the two always reaches 4.5:1 (the worse
 * colour still gives √21 ≈ 4.58), so the button's text passes AA whatever colour is chosen.
 */
export function textOn(brand: string): string {
  return contrast(brand, WHITE) >= contrast(brand, BLACK) ? WHITE : BLACK;
}

/** `from` moved `share` of the way to `to`, per channel. */
function mix(from: string, to: string, share: number): string {
  const a = channels(from);
  const b = channels(to);
  return `#${a
    .map((c, i) => Math.round(c + (b[i]! - c) * share))
    .map((c) => c.toString(16).padStart(2, "0"))
    .join("")}`;
}

export type BrandColours = {
  brand: string;
  /** The text on a brand-coloured surface (the submit button). */
  onBrand: string;
  /** The button under the pointer: moved away from its text colour, so its contrast only grows. */
  hover: string;
  /** The focus ring on the white page: the brand colour when it shows at 3:1 (WCAG 1.4.11), else the text colour. */
  focusRing: string;
};

export function brandColours(brand: string): BrandColours {
  const hex = brand.toLowerCase();
  const onBrand = textOn(hex);
  return {
    brand: hex,
    onBrand,
    hover: mix(hex, onBrand === WHITE ? BLACK : WHITE, 0.2),
    focusRing: contrast(hex, WHITE) >= 3 ? hex : PAGE_TEXT,
  };
}
