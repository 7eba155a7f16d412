// One SMS from the local SMS outbox: who it was from and to, and the text in a phone as it would have arrived.
import { Badge, Group, Paper, Stack } from "@mantine/core";
import type { OutboxMessage } from "../../api/mailing-types.ts";
import { DetailList } from "../../app/DetailList.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { MailingLink } from "../outbox/MailingLink.tsx";
import { PhonePreview } from "./PhonePreview.tsx";

export function SmsOutboxMessage({ message: m }: { message: OutboxMessage }) {
  const { t, formatDateTime } = useI18n();
  return (
    <>
      <PageHeader
        back={{ to: "/outbox", label: t("outbox.title") }}
        title={
          <Group gap="sm">
            <span data-testid="outbox-subject">{t("sms.outbox.title", { to: m.to })}</span>
            {m.isTest && (
              <Badge color="grape" variant="light">
                {t("outbox.test")}
              </Badge>
            )}
          </Group>
        }
      />
      <Stack gap="md">
        <Paper withBorder p="md" radius="md">
          <DetailList
            testId="outbox-details"
            rows={[
              { label: t("outbox.from"), value: m.from },
              { label: t("outbox.to"), value: m.to },
              { label: t("outbox.time"), value: formatDateTime(m.createdAt) },
              { label: t("outbox.mailing"), value: m.mailingId && <MailingLink id={m.mailingId} /> },
            ]}
          />
        </Paper>
        <Paper withBorder p="md" radius="md">
          <PhonePreview sender={m.from} text={m.text ?? ""} />
        </Paper>
      </Stack>
    </>
  );
}
