// The server's step problems, save warnings and accessibility warnings in the user's language; codes the UI does not
// know keep the server's (English) message.
import type { AccessibilityWarning, MailingProblem } from "../../api/mailing-types.ts";
import { type Translate, translateKnown } from "../../i18n/i18n.tsx";

const MERGE_TAG = /\[\[\s*([^\]\s|]+)[^\]]*\]\]/;

export function problemText(t: Translate, problem: MailingProblem): string {
  switch (problem.code) {
    case "unknown-variable": {
      const variable = MERGE_TAG.exec(problem.message)?.[1];
      return variable ? t("mailings.problems.unknown-variable", { variable }) : problem.message;
    }
    case "template-error":
      return t("mailings.problems.template-error", { detail: problem.message });
    case "sending-account-unusable": {
      const parts = /^Sending account "(.+)" cannot send: (.+)$/s.exec(problem.message);
      return parts
        ? t("mailings.problems.sending-account-unusable", { name: parts[1]!, detail: parts[2]! })
        : problem.message;
    }
    default:
      return translateKnown(t, `mailings.problems.${problem.code}`, problem.message);
  }
}

// The server's warning when the from-domain failed its last DNS check (src/sending-domains/dns-records.ts).
const DNS_FAILED = /^The sending domain (\S+) failed its last DNS check: (.+)$/;

export function warningText(t: Translate, warning: string): string {
  const dns = DNS_FAILED.exec(warning);
  if (dns) return t("mailings.problems.dns-check-failed", { domain: dns[1]!, parts: dns[2]! });
  const variable = /^Unknown merge field/i.test(warning) ? MERGE_TAG.exec(warning)?.[1] : undefined;
  return variable ? t("mailings.problems.unknown-variable", { variable }) : warning;
}

/** An accessibility warning in words; `number` formats the contrast ratio the user's way (2,84 in Norwegian). */
export function accessibilityText(
  t: Translate,
  w: AccessibilityWarning,
  number: (n: number) => string,
): string {
  const places =
    "count" in w && w.count > 1 ? ` ${t("sending.accessibility.places", { count: w.count })}` : "";
  switch (w.code) {
    case "image-without-alt":
      return t("sending.accessibility.image-without-alt", { src: w.src }) + places;
    case "low-contrast-text":
      return (
        t("sending.accessibility.low-contrast-text", {
          text: w.text,
          ratio: number(w.ratio),
          required: number(w.required),
          foreground: w.foreground,
          background: w.background,
        }) + places
      );
    case "vague-link-text":
      return (
        (w.text
          ? t("sending.accessibility.vague-link-text", { text: w.text })
          : t("sending.accessibility.link-without-text")) + places
      );
    case "vague-subject":
      return t("sending.accessibility.vague-subject", { subject: w.subject });
    case "image-only-email":
      return t("sending.accessibility.image-only-email", { textLength: w.textLength });
    default:
      return (w as { message: string }).message;
  }
}
