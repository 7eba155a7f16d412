// Switches the UI between Norwegian and English; a signed-in user's choice is also saved on their account.
import { SegmentedControl } from "@mantine/core";
import { useApi } from "../api/context.tsx";
import { LANGUAGES, type Language, useI18n } from "../i18n/i18n.tsx";
import { useSession } from "./session.tsx";

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  const { user } = useSession();
  const api = useApi();

  function choose(next: Language) {
    setLanguage(next);
    // Best effort: the account's language is for messages the server writes; the UI follows localStorage.
    if (user) api.patch("/api/auth/me", { language: next }).catch(() => undefined);
  }

  return (
    <SegmentedControl
      size="xs"
      aria-label={t("app.language")}
      value={language}
      onChange={(value) => choose(value as Language)}
      data={LANGUAGES}
    />
  );
}
