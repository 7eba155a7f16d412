// Mailings: a placeholder until the mailing editor arrives.
import { Paper } from "@mantine/core";
import { EmptyNote } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useI18n } from "../../i18n/i18n.tsx";

export function MailingsPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("mailings.title")} />
      <Paper withBorder p="md" radius="md">
        <EmptyNote title={t("mailings.comingTitle")} description={t("mailings.coming")} />
      </Paper>
    </>
  );
}
