// Send test: the mailing rendered for one recipient, sent to addresses separated by ";" with "[TEST]" in the
// subject; test sends are never counted. Earlier tests are listed with the bounces that came back for them.
import { Alert, Badge, Button, Group, Modal, Stack, Table, Text, TextInput } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { TestSendHistory } from "../../api/mailing-types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { RecipientPicker } from "./RecipientPicker.tsx";

type TestResult = { sent: number; failures?: string[] };

export function SendTestModal({
  mailingId,
  recipientId,
  opened,
  onClose,
}: {
  mailingId: number;
  recipientId: number | null;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const history = useQuery({
    queryKey: ["mailings", mailingId, "test-sends"],
    queryFn: () => api.get<TestSendHistory>(`/api/mailings/${mailingId}/test-sends`),
    enabled: opened,
  });
  const [addresses, setAddresses] = useState("");
  const [renderFor, setRenderFor] = useState<number | null>(recipientId);
  const [sent, setSent] = useState<TestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setRenderFor(recipientId);
    setSent(null);
    setError(null);
  }, [opened, recipientId]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setSent(null);
    setError(null);
    try {
      const result = await api.post<TestResult>(`/api/mailings/${mailingId}/test`, {
        addresses: addresses.trim(),
        ...(renderFor === null ? {} : { recipientId: renderFor }),
      });
      setSent(result);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: ["mailings", mailingId, "test-sends"] });
    }
  }

  const problem = fieldErrors(error, t).addresses;

  return (
    <Modal opened={opened} onClose={onClose} title={t("preview.testTitle")} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t("preview.testAddresses")}
            description={t("preview.testAddressesHelp")}
            placeholder="ola@example.no; kari@example.no"
            required
            data-autofocus
            value={addresses}
            onChange={(e) => setAddresses(e.currentTarget.value)}
            error={problem}
          />
          <RecipientPicker
            mailingId={mailingId}
            value={renderFor}
            onChange={setRenderFor}
            label={t("preview.renderFor")}
          />
          <Text size="sm" c="dimmed">
            {t("preview.testNote")}
          </Text>
          {!problem && <ErrorAlert error={error} />}
          {sent !== null && (
            <Alert color={sent.failures?.length ? "orange" : "green"} data-testid="test-sent">
              {t("preview.testSent", { count: sent.sent })}
              {sent.failures?.map((failure) => (
                <Text size="sm" key={failure}>
                  {failure}
                </Text>
              ))}
            </Alert>
          )}
          <TestHistory items={history.data?.items ?? []} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("preview.close")}
            </Button>
            <Button type="submit" loading={busy} disabled={!addresses.trim()}>
              {t("preview.sendTest")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const KIND_COLORS = { sent: "green", failed: "orange", bounced: "red" } as const;

/** Earlier test sends, newest first; a bounce that came back for one is listed in red, never counted anywhere. */
function TestHistory({ items }: { items: TestSendHistory["items"] }) {
  const { t, formatDateTime } = useI18n();
  if (items.length === 0) return null;
  return (
    <Stack gap={4}>
      <Text fw={600} size="sm">
        {t("preview.testHistory")}
      </Text>
      <Text size="xs" c="dimmed">
        {t("preview.testHistoryHelp")}
      </Text>
      <Table verticalSpacing={4} data-testid="test-history">
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.id} data-kind={item.kind}>
              <Table.Td w={150}>
                <Text size="xs">{formatDateTime(item.at)}</Text>
              </Table.Td>
              <Table.Td w={110}>
                <Badge size="sm" variant="light" color={KIND_COLORS[item.kind]}>
                  {t(`preview.testKinds.${item.kind}`)}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="xs" style={{ wordBreak: "break-word" }}>
                  {item.detail}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
