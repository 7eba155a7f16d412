// Send test: the mailing rendered for one recipient, sent to addresses separated by ";" with "[TEST]" in the
// subject; test sends are never counted.
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { fieldErrors } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert } from "../../app/feedback.tsx";
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
    }
  }

  const problem = fieldErrors(error).addresses;

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
