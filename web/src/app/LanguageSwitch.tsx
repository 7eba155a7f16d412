// Switches the UI between Norwegian and English.
import { SegmentedControl } from "@mantine/core";
import { LANGUAGES, type Language, useI18n } from "../i18n/i18n.tsx";

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("app.language")}
      value={language}
      onChange={(value) => setLanguage(value as Language)}
      data={LANGUAGES}
    />
  );
}
