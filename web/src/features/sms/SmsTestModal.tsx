// Send test for an SMS mailing: the text merged for one recipient, sent to numbers separated by ";". Test messages
// are never counted. A number the server cannot read is shown under the field with where it stands.
import { Alert, Button, Group, List, Modal, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { ApiError } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert } from "../../app/feedback.tsx";
import { fieldProblemText } from "../../i18n/error-text.ts";
import { type Translate, useI18n } from "../../i18n/i18n.tsx";
import { RecipientPicker } from "../preview/RecipientPicker.tsx";
import type { SmsTestResult } from "./types.ts";

function numberProblem(error: unknown, t: Translate): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const details = error.details as { field?: unknown; value?: unknown } | null;
  if (details?.field !== "numbers") return undefined;
  // The first problem in the page's language ("er ikke et gyldig mobilnummer"), with the entry it is about.
  const [first] = error.fieldProblems;
  const said = first ? fieldProblemText(t, first) : error.message;
  return typeof details.value === "string" && details.value !== "" ? `${said} (${details.value})` : said;
}

export function SmsTestModal({
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
  const [numbers, setNumbers] = useState("");
  const [renderFor, setRenderFor] = useState<number | null>(recipientId);
  const [result, setResult] = useState<SmsTestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setRenderFor(recipientId);
    setResult(null);
    setError(null);
  }, [opened, recipientId]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(
        await api.post<SmsTestResult>(`/api/mailings/${mailingId}/test-sms`, {
          numbers: numbers.trim(),
          ...(renderFor === null ? {} : { recipientId: renderFor }),
        }),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const problem = numberProblem(error, t);
  const failed = result?.sent.filter((s) => s.status === "failed").length ?? 0;

  return (
    <Modal opened={opened} onClose={onClose} title={t("sms.test.title")} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t("sms.test.numbers")}
            description={t("sms.test.numbersHelp")}
            placeholder="+4791234567; 912 34 568"
            required
            data-autofocus
            value={numbers}
            onChange={(e) => setNumbers(e.currentTarget.value)}
            error={problem}
          />
          <RecipientPicker
            mailingId={mailingId}
            value={renderFor}
            onChange={setRenderFor}
            label={t("preview.renderFor")}
            sms
          />
          <Text size="sm" c="dimmed">
            {t("sms.test.note")}
          </Text>
          {!problem && <ErrorAlert error={error} />}
          {result !== null && (
            <Alert color={failed > 0 ? "orange" : "green"} data-testid="sms-test-sent">
              <List size="sm">
                {result.sent.map((s) => (
                  <List.Item key={s.number}>
                    {t(s.status === "accepted" ? "sms.test.accepted" : "sms.test.failed", {
                      number: s.number,
                    })}
                    {s.reply ? ` (${s.reply})` : ""}
                  </List.Item>
                ))}
              </List>
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("preview.close")}
            </Button>
            <Button type="submit" loading={busy} disabled={!numbers.trim()}>
              {t("preview.sendTest")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
