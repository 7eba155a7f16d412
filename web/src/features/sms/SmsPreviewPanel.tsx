// Preview of an SMS mailing: the merged text for one recipient in a phone, its encoding and parts, and over the
// whole list the most parts any recipient needs, how many need more than one and the parts in all.
import { Button, Group, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";
import { RecipientPicker } from "../preview/RecipientPicker.tsx";
import { PhonePreview } from "./PhonePreview.tsx";
import { SmsTestModal } from "./SmsTestModal.tsx";
import type { SmsPreview, SmsSummary } from "./types.ts";

export function SmsPreviewPanel({
  mailingId,
  sender,
  canTest,
}: {
  mailingId: number;
  sender: string | null;
  canTest: boolean;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [recipientId, setRecipientId] = useState<number | null>(null);
  const [testing, setTesting] = useState(false);
  const preview = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "sms-preview", recipientId],
    queryFn: () => api.get<SmsPreview>(`/api/mailings/${mailingId}/sms-preview`, { recipientId }),
    placeholderData: keepPreviousData,
  });
  const summary = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "sms-summary"],
    queryFn: () => api.get<SmsSummary>(`/api/mailings/${mailingId}/sms-summary`),
  });
  const shownFor = recipientId ?? preview.data?.recipient?.id ?? null;

  return (
    <Stack gap="md" data-testid="sms-preview-panel">
      <Group justify="space-between" align="flex-end">
        <RecipientPicker
          mailingId={mailingId}
          value={shownFor}
          onChange={setRecipientId}
          label={t("preview.recipient")}
          sms
        />
        {canTest && (
          <Button variant="default" onClick={() => setTesting(true)}>
            {t("preview.sendTest")}
          </Button>
        )}
      </Group>
      {preview.isPending ? (
        <Loading />
      ) : preview.isError ? (
        <ErrorAlert error={preview.error} />
      ) : (
        <Group align="flex-start" gap="xl" wrap="wrap">
          <PhonePreview sender={sender} text={preview.data.text} />
          <Stack gap={4} data-testid="sms-preview-facts">
            {preview.data.recipient && (
              <Text size="sm">
                {preview.data.recipient.name}
                {preview.data.recipient.mobile ? ` · ${preview.data.recipient.mobile}` : ""}
              </Text>
            )}
            <Text size="sm">{t(`sms.encodings.${preview.data.encoding}`)}</Text>
            <Text size="sm">{t("sms.counter.characters", { count: preview.data.characters })}</Text>
            <Text size="sm" data-testid="sms-preview-parts">
              {t("sms.counter.parts", {
                count: preview.data.parts,
              })}
            </Text>
          </Stack>
        </Group>
      )}
      {summary.isError ? (
        <ErrorAlert error={summary.error} />
      ) : summary.data ? (
        <Paper withBorder p="sm" radius="md" data-testid="sms-summary">
          <Text fw={500} size="sm" mb="xs">
            {t("sms.preview.summaryTitle", { count: summary.data.recipients })}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Text size="sm" data-testid="sms-summary-max">
              {t("sms.preview.maxParts", { count: summary.data.maxParts })}
            </Text>
            <Text size="sm" data-testid="sms-summary-multipart">
              {t("sms.preview.multipart", { count: summary.data.multipart })}
            </Text>
            <Text size="sm" data-testid="sms-summary-total">
              {t("sms.preview.totalParts", { count: summary.data.totalParts })}
            </Text>
          </SimpleGrid>
        </Paper>
      ) : null}
      <SmsTestModal
        mailingId={mailingId}
        recipientId={shownFor}
        opened={testing}
        onClose={() => setTesting(false)}
      />
    </Stack>
  );
}
