// Step 4's "Import file" source: pick a CSV or XLSX file, check it (a dry run that lists every invalid row), confirm
// that the people consented, and add it; the column mapping is guessed as in the person import.
import { Button, Checkbox, FileInput, Group, Paper, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Mailing, RecipientImportReport } from "../../api/mailing-types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { asUpload } from "./ImportPage.tsx";
import { ImportProgressView, newProgressId, useElapsed, useImportProgress } from "./ImportProgress.tsx";
import { ImportIssues } from "./ImportReportView.tsx";

export function RecipientImport({
  mailingId,
  sms = false,
  onCancel,
  onAdd,
}: {
  mailingId: number;
  sms?: boolean;
  onCancel: () => void;
  onAdd: (write: () => Promise<Mailing>) => Promise<Mailing | null>;
}) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<RecipientImportReport | null>(null);
  const [consent, setConsent] = useState(false);
  const [source, setSource] = useState("");
  const [busy, setBusy] = useState<"check" | "add" | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Followed as the person import is: rows read of the file's rows (the dry run counted them) while the upload waits.
  const [progressId, setProgressId] = useState<string | null>(null);
  const progress = useImportProgress(busy !== null ? progressId : null);
  const elapsed = useElapsed(busy !== null);
  const path = `/api/mailings/${mailingId}/imports`;

  function follow(): string {
    const id = newProgressId();
    setProgressId(id);
    return id;
  }

  async function check() {
    if (!file) return;
    setBusy("check");
    setError(null);
    try {
      setReport(
        await api.upload<RecipientImportReport>(path, asUpload(file), {
          dryRun: true,
          fileName: file.name,
          progressId: follow(),
        }),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  async function add() {
    if (!file) return;
    setBusy("add");
    const done = await onAdd(async () => {
      await api.upload<RecipientImportReport>(path, asUpload(file), {
        consentConfirmed: true,
        source: source.trim(),
        fileName: file.name,
        progressId: follow(),
      });
      return api.get<Mailing>(`/api/mailings/${mailingId}`);
    });
    setBusy(null);
    if (done) onCancel();
  }

  const adding = report ? report.linked + report.importOnly : 0;
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t(sms ? "recipients.importHelpSms" : "recipients.importHelp")}
      </Text>
      <FileInput
        label={t("imports.file")}
        placeholder={t("imports.filePlaceholder")}
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        value={file}
        clearable
        data-autofocus
        onChange={(next) => {
          setFile(next);
          setReport(null);
          setError(null);
        }}
      />
      <ErrorAlert error={error} />
      {busy !== null && (
        <ImportProgressView
          running={busy === "check" ? "checking" : "importing"}
          elapsed={elapsed}
          progress={progress}
          checkedRows={busy === "add" && report ? report.rows : null}
        />
      )}
      {report && (
        <Paper withBorder p="sm" radius="md" data-testid="recipient-import-report">
          <Text size="sm" mb="xs">
            {t("recipients.importCounts", {
              rows: t("recipients.importCountsParts.rows", { count: report.rows }),
              valid: t("recipients.importCountsParts.valid", { count: report.valid }),
              invalid: t("recipients.importCountsParts.invalid", { count: report.invalid }),
              duplicates: t("recipients.importCountsParts.duplicates", { count: report.duplicatesInFile }),
            })}
          </Text>
          <SimpleGrid cols={3} spacing="xs">
            <Count label={t("recipients.importLinked")} value={formatNumber(report.linked)} id="linked" />
            <Count
              label={t("recipients.importOnly")}
              value={formatNumber(report.importOnly)}
              id="import-only"
            />
            <Count
              label={t(sms ? "recipients.importBlockedSms" : "recipients.importBlocked")}
              value={formatNumber(report.blockedAddresses)}
              id="blocked"
            />
          </SimpleGrid>
          <ImportIssues report={report} />
        </Paper>
      )}
      {report && (
        <>
          <TextInput
            label={t("recipients.importSource")}
            placeholder={t("imports.sourcePlaceholder")}
            maxLength={500}
            value={source}
            onChange={(e) => setSource(e.currentTarget.value)}
          />
          <Checkbox
            required
            label={t("recipients.consentConfirm")}
            description={t("recipients.consentHelp")}
            checked={consent}
            onChange={(e) => setConsent(e.currentTarget.checked)}
          />
        </>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          {t("common.cancel")}
        </Button>
        <Button
          variant={report ? "default" : "filled"}
          onClick={check}
          loading={busy === "check"}
          disabled={!file}
        >
          {t("recipients.importCheck")}
        </Button>
        <Button onClick={add} loading={busy === "add"} disabled={!report || !consent || adding === 0}>
          {t("recipients.importAdd", { count: adding })}
        </Button>
      </Group>
    </Stack>
  );
}

function Count({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <Paper withBorder p="xs" radius="md" data-testid={`import-count-${id}`}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700}>{value}</Text>
    </Paper>
  );
}
