// A mailing's accessibility warnings as the Confirm step lists them: worked out from the content as it will be sent
// (MJML compiled, CSS inlined), each marked dismissed when someone dismissed it for this mailing. The one writer of
// dismissals. Warnings never block sending.
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { type AccessibilityWarning, accessibilityWarnings } from "./accessibility-checks.ts";
import { inlineCss, renderSourceHtml } from "./content.ts";
import type { Mailing } from "./store.ts";

export type MailingAccessibilityWarning = AccessibilityWarning & { dismissed: boolean };

type Content = Pick<Mailing, "id" | "subject" | "contentFormat" | "content">;

/** The warnings for the subject and content as saved; only the subject's while there is no content that compiles. */
export async function mailingAccessibilityWarnings(
  db: Db,
  m: Content,
): Promise<MailingAccessibilityWarning[]> {
  const warnings = await contentWarnings(m);
  if (warnings.length === 0) return [];
  const dismissed = new Set(
    (
      await db
        .selectFrom("mailing_dismissed_warnings")
        .select("warning_key")
        .where("mailing_id", "=", m.id)
        .execute()
    ).map((r) => r.warning_key),
  );
  return warnings.map((w) => ({ ...w, dismissed: dismissed.has(w.key) }));
}

async function contentWarnings(m: Content): Promise<AccessibilityWarning[]> {
  let html = "";
  try {
    if (m.content?.trim()) html = inlineCss((await renderSourceHtml(m.contentFormat, m.content)).html);
  } catch (error) {
    // Invalid MJML is refused when the mailing is prepared, with its own message; only the subject is checked.
    if (!(error instanceof AppError)) throw error;
  }
  return accessibilityWarnings({
    html,
    subject: m.subject,
    mjml: html && m.contentFormat === "mjml" ? m.content : null,
  });
}

/**
 * Dismisses (or brings back) one of the mailing's current warnings. Only a warning the content has now can be
 * dismissed, so a stale key from an older version of the content is refused rather than stored.
 */
export async function setWarningDismissed(
  db: Db,
  m: Content,
  key: string,
  dismissed: boolean,
  userId: number | null,
): Promise<void> {
  if (dismissed) {
    if (!(await contentWarnings(m)).some((w) => w.key === key))
      throw invalid([
        {
          field: "key",
          message: `"${key}" is not one of this mailing's accessibility warnings`,
          kind: "unknown-reference",
          params: { what: "warning", id: key },
        },
      ]);
    await db
      .insertInto("mailing_dismissed_warnings")
      .values({ mailing_id: m.id, warning_key: key, dismissed_by: userId, dismissed_at: isoNow() })
      .onConflict((oc) => oc.columns(["mailing_id", "warning_key"]).doNothing())
      .execute();
  } else {
    await db
      .deleteFrom("mailing_dismissed_warnings")
      .where("mailing_id", "=", m.id)
      .where("warning_key", "=", key)
      .execute();
  }
}
