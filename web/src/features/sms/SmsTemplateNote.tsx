// The Template step of an SMS mailing: there are no SMS templates to start from, so it only says so.
import { Text } from "@mantine/core";
import { useI18n } from "../../i18n/i18n.tsx";

export function SmsTemplateNote() {
  const { t } = useI18n();
  return (
    <Text size="sm" data-testid="sms-template-note">
      {t("sms.templateNote")}
    </Text>
  );
}
