// The letter's date line in the recipient's language: "4. desember 2026" in Norwegian, "4 December 2026" in English.

/** Norwegian in either written form, or a Nordic "no"; English always in the day-month-year order of a letter. */
function localeFor(language: string): string {
  const base = language.toLowerCase().split(/[-_]/)[0] ?? "";
  if (base === "nb" || base === "no") return "nb-NO";
  if (base === "nn") return "nn-NO";
  if (base === "en") return "en-GB";
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([language])[0] ?? "en-GB";
  } catch {
    // Not a well-formed language tag: the letter still gets a date.
    return "en-GB";
  }
}

// A formatter costs far more to make than to use, and a mailing dates thousands of letters in two or three languages.
const formats = new Map<string, Intl.DateTimeFormat>();

/** The date as a letter writes it, on the calendar day it is in `timeZone` (a late-evening UTC time is tomorrow in Oslo). */
export function formatLetterDate(date: Date, language: string, timeZone = "Europe/Oslo"): string {
  const key = `${language}|${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(localeFor(language), {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone,
    });
    formats.set(key, format);
  }
  return format.format(date);
}
