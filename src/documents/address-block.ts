// Where the recipient's address goes so that it shows in a window envelope, and which lines it keeps when there are
// more than the window holds. Pure.

/** Points to the millimetre. */
export const MM = 72 / 25.4;
/** The envelope window in points from the page's top-left corner: C5/C65, DIN 5008 form B. */
export const ENVELOPE_WINDOW = { left: 20 * MM, top: 45 * MM, width: 85 * MM, height: 45 * MM };

type AddressEntry = { text: string; source: number };

/**
 * The lines that fit the window. When there are too many, the least needed go first: the lines between the name
 * and the street (a department before the company above it), then the attention, the street, the country; the
 * postcode and city and the first line stay.
 */
export function fitAddressLines(
  letter: { addressLines: string[]; attention: string | null },
  attentionWord: string,
  capacity: number,
): { kept: AddressEntry[]; dropped: string[] } {
  const lines = letter.addressLines
    .map((text, source) => ({ text: text.trim(), source }))
    .filter((line) => line.text.length > 0);
  // The postcode line is the last with a digit in it (a country name has none); else the last line.
  let postcode = lines.length - 1;
  for (let i = lines.length - 1; i >= 0; i--)
    if (/\d/.test(lines[i]!.text)) {
      postcode = i;
      break;
    }
  const entries: Array<AddressEntry & { rank: number }> = lines.map((line, i) => ({
    ...line,
    rank: i === postcode ? 0 : i === 0 ? 1 : i > postcode ? 2 : i === postcode - 1 ? 3 : 5 + (i - 1), // the middle: earlier lines say more (the company before its department)
  }));
  const attention = letter.attention?.trim();
  if (attention) {
    const text = /^(att|attn)\b/i.test(attention) ? attention : `${attentionWord} ${attention}`;
    entries.splice(Math.min(1, entries.length), 0, { text, source: -1, rank: 4 });
  }
  const dropped = new Set<AddressEntry>();
  while (entries.length - dropped.size > Math.max(capacity, 0)) {
    let lowest: (typeof entries)[number] | null = null;
    for (const entry of entries)
      if (!dropped.has(entry) && (!lowest || entry.rank > lowest.rank)) lowest = entry;
    dropped.add(lowest!);
  }
  return {
    kept: entries.filter((e) => !dropped.has(e)).map(({ text, source }) => ({ text, source })),
    dropped: entries.filter((e) => dropped.has(e)).map((e) => e.text),
  };
}
