// Decides whether a test that needs an outside part (PostgreSQL, Chromium, ../shared/corpus) runs, skips or fails.
// With UTSEND_REQUIRE_ALL=1 (CI) a missing part is a failure, never a skip.
import { existsSync } from "node:fs";

export const requireAll = process.env.UTSEND_REQUIRE_ALL === "1";

/** Returns true when the part is there; when it is not, throws under UTSEND_REQUIRE_ALL, else logs why and returns false. */
export function partAvailable(part: string, available: boolean, why: string): boolean {
  if (available) return true;
  if (requireAll) throw new Error(`${part} is required (UTSEND_REQUIRE_ALL=1) but missing: ${why}`);
  console.warn(`skipping tests that need ${part}: ${why}`);
  return false;
}

/** SpamAssassin's `spamassassin` script on PATH (Debian: apt-get install spamassassin). */
export function spamAssassinAvailable(): boolean {
  const onPath = (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(`${dir}/spamassassin`));
  return partAvailable(
    "SpamAssassin",
    onPath,
    "`spamassassin` is not on PATH (apt-get install spamassassin)",
  );
}

/** SpamAssassin's daemon and client (Debian: apt-get install spamd spamc), for the spamc path of the spam check. */
export function spamdAvailable(): boolean {
  return partAvailable(
    "spamd and spamc",
    existsSync("/usr/sbin/spamd") && existsSync("/usr/bin/spamc"),
    "/usr/sbin/spamd or /usr/bin/spamc is missing (apt-get install spamd spamc)",
  );
}

/** poppler-utils' pdftotext, pdfinfo, pdffonts, pdfimages and pdftoppm, to read generated PDFs back (Debian: apt-get install poppler-utils). */
export function popplerAvailable(): boolean {
  return partAvailable(
    "poppler-utils",
    ["pdftotext", "pdfinfo", "pdffonts", "pdfimages", "pdftoppm"].every((tool) =>
      existsSync(`/usr/bin/${tool}`),
    ),
    "/usr/bin/pdftotext, pdfinfo, pdffonts, pdfimages or pdftoppm is missing (apt-get install poppler-utils)",
  );
}
