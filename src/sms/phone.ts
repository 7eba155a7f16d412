// Owns how SMS reads the numbers people type (the test-send field, a recipient's mobile): the same parsing as a
// person's own number (person-rules.ts), so a number the CRM stored is a number SMS can send to.
import { toE164 as toE164In, toMobileE164 } from "../persons/person-rules.ts";

/** A valid number in E.164 ("912 34 567" → "+4791234567"), reading numbers without a country code as `defaultCountry`'s. */
export function toE164(raw: string, defaultCountry = "NO"): string | null {
  return toE164In(raw, defaultCountry);
}

/**
 * Whether a number can take an SMS: valid, and a mobile number where the metadata knows the type (landlines
 * are refused; numbers whose type the metadata cannot tell pass).
 */
export function isMobileNumber(raw: string, defaultCountry = "NO"): boolean {
  return toMobileE164(raw, defaultCountry) !== null;
}

export type NumberListProblem = {
  /** 1-based place of the entry in the list as typed, empty entries not counted. */
  position: number;
  value: string;
  /** Not a phone number at all, or a number that is not a mobile's. */
  reason: "not-a-phone" | "not-a-mobile";
  message: string;
};

/**
 * The numbers in a typed list, separated by ";", "," or line breaks, in E.164 and each once; and what is wrong
 * with the entries that are not numbers an SMS can reach.
 */
export function parseNumberList(
  text: string,
  defaultCountry = "NO",
): { numbers: string[]; problems: NumberListProblem[] } {
  const numbers: string[] = [];
  const problems: NumberListProblem[] = [];
  const entries = text
    .split(/[;,\r\n]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  entries.forEach((value, index) => {
    const position = index + 1;
    const number = toE164(value, defaultCountry);
    if (!number) {
      problems.push({
        position,
        value,
        reason: "not-a-phone",
        message: `"${value}" is not a valid phone number`,
      });
      return;
    }
    if (!isMobileNumber(number, defaultCountry)) {
      problems.push({
        position,
        value,
        reason: "not-a-mobile",
        message: `${number} is not a mobile number, so it cannot receive SMS`,
      });
      return;
    }
    if (!numbers.includes(number)) numbers.push(number);
  });
  return { numbers, problems };
}
