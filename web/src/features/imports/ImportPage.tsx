// Import persons from a CSV or XLSX file: file, column mapping, consent attestation and options; a dry run shows the
// report (counts and every invalid row), then "Import" writes it and shows the result.
import {
  Alert,
  Button,
  Checkbox,
  FileInput,
  Group,
  List,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useCustomFields } from "../../api/catalogue.ts";
import { ApiError } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { ImportLegalBasis, ImportMapping, ImportReport, Items } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { fieldProblemText } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllSelections } from "../selections/queries.ts";
import { useFieldOptions } from "./fields.ts";
import { ImportProgressView, newProgressId, useElapsed, useImportProgress } from "./ImportProgress.tsx";
import { ImportCounts, ImportIssues } from "./ImportReportView.tsx";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

type Settings = {
  mappingId: string | null;
  columns: Record<string, string> | null;
  legalBasis: ImportLegalBasis | null;
  source: string;
  selectionId: string | null;
  allOrNothing: boolean;
  /** The file records consent given anew: addresses on the suppression list get it too (legal basis consent only). */
  newConsent: boolean;
};

function fileKey(file: File | null): string {
  return file ? `${file.name}:${file.size}:${file.lastModified}` : "";
}

/** The file with a content type the API takes: browsers often give CSV files none, or an Excel-specific one. */
export function asUpload(file: File): Blob {
  const lower = file.name.toLowerCase();
  const type = lower.endsWith(".xlsx")
    ? XLSX
    : lower.endsWith(".csv")
      ? "text/csv"
      : "application/octet-stream";
  return new Blob([file], { type });
}

export function ImportPage() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const fieldOptions = useFieldOptions();
  const customFields = useCustomFields();
  const selections = useAllSelections();
  const mappings = useQuery({
    queryKey: ["import-mappings"],
    queryFn: () => api.get<Items<ImportMapping>>("/api/import-mappings"),
  });

  const [file, setFile] = useState<File | null>(null);
  const [settings, setSettings] = useState<Settings>({
    mappingId: null,
    columns: null,
    legalBasis: null,
    source: "",
    selectionId: null,
    allOrNothing: false,
    newConsent: false,
  });
  const [checked, setChecked] = useState<{ key: string; report: ImportReport } | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState<"dryRun" | "import" | null>(null);
  const [mappingName, setMappingName] = useState("");
  const elapsed = useElapsed(running !== null);
  const [progressId, setProgressId] = useState<string | null>(null);
  const progress = useImportProgress(running !== null ? progressId : null);

  const key = JSON.stringify([fileKey(file), settings]);
  const upToDate = checked !== null && checked.key === key;
  const attested = settings.legalBasis !== null && settings.source.trim() !== "";
  const change = (patch: Partial<Settings>) => setSettings((current) => ({ ...current, ...patch }));

  // The mapping as it stands: the last report's columns with the user's changes.
  const columns = useMemo(() => {
    const out: Record<string, string> = {};
    for (const c of checked?.report.columns ?? []) out[c.column] = c.field ?? "ignore";
    return { ...out, ...settings.columns };
  }, [checked, settings.columns]);

  const options = useMemo(() => {
    const custom = (customFields.data?.items ?? []).map((f) => ({
      value: `custom.${f.key}`,
      label: f.label,
    }));
    return [{ value: "ignore", label: t("imports.ignoreColumn") }, ...fieldOptions, ...custom];
  }, [customFields.data, fieldOptions, t]);

  const staticSelections = (selections.data?.items ?? [])
    .filter((s) => s.kind === "static")
    .map((s) => ({ value: String(s.id), label: s.name }));

  async function run(dryRun: boolean) {
    if (!file || !settings.legalBasis) return;
    setRunning(dryRun ? "dryRun" : "import");
    const followId = newProgressId();
    setProgressId(followId);
    setError(null);
    if (!dryRun) setResult(null);
    const runKey = key;
    const map = settings.columns
      ? Object.entries(columns)
          .map(([column, field]) => `${column}=${field}`)
          .join(",")
      : undefined;
    try {
      const report = await api.upload<ImportReport>("/api/imports/persons", asUpload(file), {
        dryRun,
        allOrNothing: settings.allOrNothing,
        newConsent: settings.newConsent && settings.legalBasis === "consent",
        legalBasis: settings.legalBasis,
        source: settings.source.trim(),
        selectionId: settings.selectionId,
        mappingId: map ? undefined : settings.mappingId,
        map,
        progressId: followId,
      });
      if (dryRun) setChecked({ key: runKey, report });
      else {
        setResult(report);
        await queryClient.invalidateQueries({ queryKey: ["persons"] });
        await queryClient.invalidateQueries({ queryKey: ["members"] });
        await queryClient.invalidateQueries({ queryKey: ["companies"] });
        await queryClient.invalidateQueries({ queryKey: ["selections"] });
      }
    } catch (caught) {
      // All-or-nothing refusal: the report of the invalid rows comes with the error.
      const refused =
        caught instanceof ApiError && caught.code === "IMPORT_ROWS_INVALID"
          ? (caught.details as { report?: ImportReport } | null)?.report
          : undefined;
      if (refused) setChecked({ key: runKey, report: refused });
      setError(caught);
    } finally {
      setRunning(null);
    }
  }

  async function saveMapping() {
    try {
      const saved = await api.post<ImportMapping>("/api/import-mappings", {
        name: mappingName.trim(),
        columns,
      });
      await queryClient.invalidateQueries({ queryKey: ["import-mappings"] });
      notifySuccess(t("imports.mappingSaved", { name: saved.name }));
      setMappingName("");
    } catch (caught) {
      notifyFailure(caught);
    }
  }

  const chosenMapping = (mappings.data?.items ?? []).find((m) => String(m.id) === settings.mappingId);

  async function deleteMapping() {
    await api.delete(`/api/import-mappings/${settings.mappingId}`);
    change({ mappingId: null, columns: null });
    await queryClient.invalidateQueries({ queryKey: ["import-mappings"] });
    notifySuccess(t("imports.mappingDeleted"));
  }

  function reset() {
    setFile(null);
    setChecked(null);
    setResult(null);
    setError(null);
    change({ columns: null });
  }

  const problems = error instanceof ApiError ? error.fieldProblems : [];
  const report = checked?.report ?? null;

  return (
    <>
      <PageHeader
        title={t("imports.title")}
        subtitle={t("imports.subtitle")}
        back={{ to: "/persons", label: t("persons.title") }}
      />
      {result ? (
        <Paper withBorder p="md" radius="md" data-testid="import-result">
          <Alert color="green" title={t("imports.doneTitle")} mb="md">
            {t("imports.doneSummary", {
              created: t("imports.doneSummaryParts.created", { count: result.created }),
              updated: t("imports.doneSummaryParts.updated", { count: result.updated }),
              skipped: t("imports.doneSummaryParts.skipped", { count: result.invalid }),
            })}
          </Alert>
          <ImportCounts report={result} dryRun={false} />
          <ImportIssues report={result} />
          <Group mt="md">
            <Button component={Link} to="/persons">
              {t("imports.toPersons")}
            </Button>
            <Button variant="default" onClick={reset}>
              {t("imports.another")}
            </Button>
          </Group>
        </Paper>
      ) : (
        <Stack gap="md">
          <Paper withBorder p="md" radius="md">
            <Title order={2} size="h4" mb="sm">
              {t("imports.fileStep")}
            </Title>
            <Group align="flex-end" gap="sm">
              <FileInput
                w={360}
                label={t("imports.file")}
                placeholder={t("imports.filePlaceholder")}
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                value={file}
                clearable
                onChange={(next) => {
                  setFile(next);
                  setChecked(null);
                  setError(null);
                  change({ columns: null });
                }}
              />
              <Select
                w={260}
                label={t("imports.savedMapping")}
                placeholder={t("imports.guessMapping")}
                clearable
                value={settings.mappingId}
                onChange={(value) => change({ mappingId: value, columns: null })}
                data={(mappings.data?.items ?? []).map((m) => ({ value: String(m.id), label: m.name }))}
              />
              {settings.mappingId && (
                <ConfirmButton
                  title={t("imports.deleteMappingTitle")}
                  message={t("imports.deleteMappingConfirm", { name: chosenMapping?.name ?? "" })}
                  confirmLabel={t("common.delete")}
                  onConfirm={deleteMapping}
                >
                  {t("imports.deleteMapping")}
                </ConfirmButton>
              )}
            </Group>
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Title order={2} size="h4" mb="sm">
              {t("imports.attestationStep")}
            </Title>
            <Text size="sm" c="dimmed" mb="sm">
              {t("imports.attestationHint")}
            </Text>
            <Group align="flex-start" gap="sm">
              <Select
                w={260}
                required
                label={t("imports.legalBasis")}
                value={settings.legalBasis}
                onChange={(value) => change({ legalBasis: (value as ImportLegalBasis | null) ?? null })}
                data={[
                  { value: "consent", label: t("imports.basis.consent") },
                  { value: "contract", label: t("imports.basis.contract") },
                  { value: "legitimate-interest", label: t("imports.basis.legitimateInterest") },
                ]}
              />
              <TextInput
                w={420}
                required
                maxLength={500}
                label={t("imports.source")}
                placeholder={t("imports.sourcePlaceholder")}
                value={settings.source}
                onChange={(event) => change({ source: event.currentTarget.value })}
              />
            </Group>
            <Group align="flex-end" gap="lg" mt="sm">
              <Select
                w={260}
                label={t("imports.selection")}
                placeholder={t("imports.noSelection")}
                clearable
                searchable
                value={settings.selectionId}
                onChange={(value) => change({ selectionId: value })}
                data={staticSelections}
              />
              <Checkbox
                mb={8}
                label={t("imports.allOrNothing")}
                checked={settings.allOrNothing}
                onChange={(event) => change({ allOrNothing: event.currentTarget.checked })}
              />
              <Checkbox
                mb={8}
                label={t("imports.newConsent")}
                disabled={settings.legalBasis !== "consent"}
                checked={settings.newConsent && settings.legalBasis === "consent"}
                onChange={(event) => change({ newConsent: event.currentTarget.checked })}
              />
            </Group>
          </Paper>

          {report && (
            <Paper withBorder p="md" radius="md" data-testid="import-report">
              <Title order={2} size="h4" mb="xs">
                {t("imports.reportTitle")}
              </Title>
              <Text size="sm" c="dimmed" mb="sm">
                {t("imports.fileInfo", {
                  format: report.file.format.toUpperCase(),
                  encoding: report.file.encoding ?? "—",
                  delimiter:
                    report.file.delimiter === null
                      ? "—"
                      : report.file.delimiter === "\t"
                        ? "tab"
                        : `«${report.file.delimiter}»`,
                })}
              </Text>
              {!upToDate && (
                <Alert color="yellow" mb="sm">
                  {t("imports.stale")}
                </Alert>
              )}
              <ImportCounts report={report} dryRun />
              <Title order={2} size="h4" mt="md" mb="xs">
                {t("imports.mappingTitle")}
              </Title>
              <Table withTableBorder data-testid="import-mapping">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("imports.column")}</Table.Th>
                    <Table.Th>{t("imports.field")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.columns.map((c) => (
                    <Table.Tr key={c.column}>
                      <Table.Td>{c.column}</Table.Td>
                      <Table.Td>
                        <Select
                          size="xs"
                          w={240}
                          searchable
                          allowDeselect={false}
                          aria-label={t("imports.fieldFor", { column: c.column })}
                          value={columns[c.column] ?? "ignore"}
                          onChange={(value) =>
                            change({ columns: { ...columns, [c.column]: value ?? "ignore" } })
                          }
                          data={options}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" c="dimmed">
                          {settings.columns?.[c.column] !== undefined
                            ? t("imports.changed")
                            : c.guessed
                              ? t("imports.guessed")
                              : c.field
                                ? t("imports.mapped")
                                : ""}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Group align="flex-end" gap="sm" mt="sm">
                <TextInput
                  w={260}
                  label={t("imports.mappingName")}
                  value={mappingName}
                  onChange={(event) => setMappingName(event.currentTarget.value)}
                />
                <Button variant="default" disabled={mappingName.trim() === ""} onClick={saveMapping}>
                  {t("imports.saveMapping")}
                </Button>
              </Group>
              <ImportIssues key={checked?.key} report={report} />
            </Paper>
          )}

          {error !== null && (
            <div>
              <ErrorAlert error={error} />
              {problems.length > 0 && (
                <List size="sm" mt="xs">
                  {problems.map((p) => (
                    <List.Item key={`${p.field}-${p.message}`}>
                      {p.field}: {fieldProblemText(t, p)}
                    </List.Item>
                  ))}
                </List>
              )}
            </div>
          )}

          {running && (
            <ImportProgressView
              running={running === "dryRun" ? "checking" : "importing"}
              elapsed={elapsed}
              progress={progress}
              checkedRows={upToDate ? checked.report.rows : null}
            />
          )}

          <Group>
            <Button
              variant={upToDate ? "default" : "filled"}
              disabled={!file || !attested || running !== null}
              onClick={() => run(true)}
            >
              {report ? t("imports.checkAgain") : t("imports.check")}
            </Button>
            <Button disabled={!upToDate || !attested || running !== null} onClick={() => run(false)}>
              {t("imports.run")}
            </Button>
            {!attested && file && (
              <Text size="sm" c="dimmed">
                {t("imports.attestationRequired")}
              </Text>
            )}
          </Group>
        </Stack>
      )}
    </>
  );
}
