// The problems panel: failed deliveries with the server's reply, and deliveries whose outcome is unknown (a crash
// mid-send) for a person to resolve: mark as sent, or send again as a new attempt.
import { Badge, Button, Code, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Delivery } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";

export function DeliveryProblems({
  mailingId,
  failed,
  unknown,
}: {
  mailingId: number;
  failed: number;
  unknown: number;
}) {
  const { t } = useI18n();
  if (failed === 0 && unknown === 0) return null;
  return (
    <Paper withBorder p="md" radius="md" data-testid="delivery-problems">
      <Title order={2} size="h4" mb="sm">
        {t("sending.problemsPanel")}
      </Title>
      <Stack gap="lg">
        {unknown > 0 && <DeliveryTable mailingId={mailingId} status="unknown" count={unknown} />}
        {failed > 0 && <DeliveryTable mailingId={mailingId} status="failed" count={failed} />}
      </Stack>
    </Paper>
  );
}

function DeliveryTable({
  mailingId,
  status,
  count,
}: {
  mailingId: number;
  status: "failed" | "unknown";
  count: number;
}) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [busy, setBusy] = useState<string | null>(null);
  const query = useQuery({
    // The count is in the key: a new failure or a resolved unknown reads the list again.
    queryKey: [...mailingPartsKey(mailingId), "deliveries", status, count],
    queryFn: () => api.get<Page<Delivery>>(`/api/mailings/${mailingId}/deliveries`, { status, limit: 100 }),
  });

  async function resolve(delivery: Delivery, action: "mark-sent" | "send-again") {
    setBusy(`${action}-${delivery.id}`);
    try {
      await api.post(`/api/deliveries/${delivery.id}/${action}`);
      notifySuccess(
        t(action === "mark-sent" ? "sending.markedSent" : "sending.sentAgain", { email: delivery.email }),
      );
      await queryClient.invalidateQueries({ queryKey: mailingPartsKey(mailingId) });
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Stack gap="xs" data-testid={`deliveries-${status}`}>
      <Group gap="xs">
        <Text fw={600}>{t(`sending.deliveries.${status}`)}</Text>
        <Badge color={status === "failed" ? "red" : "orange"} variant="light">
          {formatNumber(count)}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        {t(`sending.deliveriesHelp.${status}`)}
      </Text>
      <ErrorAlert error={query.error} />
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing={6} striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("recipients.email")}</Table.Th>
              <Table.Th w={80}>{t("sending.attempt")}</Table.Th>
              <Table.Th>{t("sending.reply")}</Table.Th>
              <Table.Th w={170}>{t("sending.when")}</Table.Th>
              {status === "unknown" && <Table.Th w={260} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {query.data?.items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{d.email}</Table.Td>
                <Table.Td>{d.attempt}</Table.Td>
                <Table.Td>{d.lastReply && <Code>{d.lastReply}</Code>}</Table.Td>
                <Table.Td>{formatDateTime(d.sentAt)}</Table.Td>
                {status === "unknown" && (
                  <Table.Td>
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="light"
                        disabled={!can("send")}
                        loading={busy === `mark-sent-${d.id}`}
                        onClick={() => resolve(d, "mark-sent")}
                      >
                        {t("sending.markSent")}
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="default"
                        disabled={!can("send")}
                        loading={busy === `send-again-${d.id}`}
                        onClick={() => resolve(d, "send-again")}
                      >
                        {t("sending.sendAgain")}
                      </Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
