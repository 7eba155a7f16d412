// What the hosted pages show of the letterhead: the company name, the brand colour and whether there is a logo. Every view and every
// thank-you page needs it, and the letterhead is one settings row that carries the logo (up to 1 MB as base64), so
// each process reads it at most once every HEADING_TTL_MS: a change saved in Settings shows at once in the process
// that saved it, and reaches the pages of every other process within that time, without any process having to tell
// the others.
import type { Db } from "../db/connect.ts";
import { letterheadWrites, readLetterhead } from "../settings/letterhead.ts";

export const HEADING_TTL_MS = 10_000;

export type LetterheadHeading = { companyName: string; brandColor: string | null; hasLogo: boolean };

export function cachedLetterheadHeading(
  db: Db,
  now: () => number = Date.now,
): () => Promise<LetterheadHeading> {
  let kept: { heading: Promise<LetterheadHeading>; until: number; writes: number } | null = null;
  return () => {
    if (kept && kept.until > now() && kept.writes === letterheadWrites(db)) return kept.heading;
    // One read for all the pages that ask while it runs; a failed read is not kept.
    const heading = readLetterhead(db).then((l) => ({
      companyName: l.companyName,
      brandColor: l.brandColor,
      hasLogo: l.logo !== null,
    }));
    const entry = { heading, until: now() + HEADING_TTL_MS, writes: letterheadWrites(db) };
    kept = entry;
    heading.catch(() => {
      if (kept === entry) kept = null;
    });
    return heading;
  };
}
