// An import's report: the counts, and every invalid row (row as the spreadsheet numbers it, column, value, reason).
import { Paper, SimpleGrid, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import type { ImportReport } from "../../api/types.ts";
import { Pager } from "../../app/Pager.tsx";
import { type MessageKey, type Translate, useI18n } from "../../i18n/i18n.tsx";

const ISSUES_PAGE = 25;

type Count = { key: keyof ImportReport & string; label: MessageKey; color?: string };
const COUNTS: Count[] = [
  { key: "rows", label: "imports.counts.rows" },
  { key: "valid", label: "imports.counts.valid", color: "green" },
  { key: "invalid", label: "imports.counts.invalid", color: "red" },
  { key: "created", label: "imports.counts.created" },
  { key: "updated", label: "imports.counts.updated" },
  { key: "duplicatesInFile", label: "imports.counts.duplicatesInFile" },
  { key: "companiesCreated", label: "imports.counts.companiesCreated" },
  { key: "consentWithdrawnKept", label: "imports.counts.consentWithdrawnKept" },
];

export function ImportCounts({ report, dryRun }: { report: ImportReport; dryRun: boolean }) {
  const { t, formatNumber } = useI18n();
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" data-testid="import-counts">
      {[
        ...COUNTS,
        ...(report.consentSuppressedKept > 0
          ? [{ key: "consentSuppressedKept", label: "imports.counts.consentSuppressedKept" } as Count]
          : []),
        ...(report.addedToSelection > 0
          ? [{ key: "addedToSelection", label: "imports.counts.addedToSelection" } as Count]
          : []),
      ].map(({ key, label, color }) => {
        const text =
          dryRun && key === "created"
            ? t("imports.counts.wouldCreate")
            : dryRun && key === "updated"
              ? t("imports.counts.wouldUpdate")
              : t(label);
        return (
          <Paper key={key} withBorder p="sm" radius="md" data-testid={`count-${key}`}>
            <Text size="xs" c="dimmed">
              {text}
            </Text>
            <Text fw={700} size="xl" c={color && (report[key] as number) > 0 ? color : undefined}>
              {formatNumber(report[key] as number)}
            </Text>
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}

/** A row's problem in the UI's language by its kind; a kind this build does not know is shown as the server said it. */
export function rowIssueText(t: Translate, issue: { kind?: string; limit?: number; reason: string }): string {
  if (!issue.kind) return issue.reason;
  const key = `imports.rowIssues.${issue.kind}`;
  // A limit is a bound (200 characters), not a count: its sentence has one form.
  const text = t(key as MessageKey, issue.limit !== undefined ? { limit: issue.limit } : undefined);
  return text === key ? issue.reason : text;
}

export function ImportIssues({ report }: { report: Pick<ImportReport, "issues" | "notListed"> }) {
  const { t } = useI18n();
  const [offset, setOffset] = useState(0);
  if (report.issues.length === 0) return null;
  const page = report.issues.slice(offset, offset + ISSUES_PAGE);
  return (
    <>
      <Title order={3} size="h4" mt="md" mb="xs">
        {t("imports.issuesTitle")}
      </Title>
      <Table striped withTableBorder data-testid="import-issues">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("imports.issue.row")}</Table.Th>
            <Table.Th>{t("imports.issue.column")}</Table.Th>
            <Table.Th>{t("imports.issue.value")}</Table.Th>
            <Table.Th>{t("imports.issue.reason")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page.map((issue) => (
            <Table.Tr key={`${issue.row}|${issue.column}|${issue.reason}|${issue.value}`}>
              <Table.Td>{issue.row}</Table.Td>
              <Table.Td>{issue.column}</Table.Td>
              <Table.Td style={{ wordBreak: "break-all" }}>{issue.value}</Table.Td>
              <Table.Td>{rowIssueText(t, issue)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Pager total={report.issues.length} offset={offset} limit={ISSUES_PAGE} onOffset={setOffset} />
      {report.notListed.issues > 0 && (
        <Text size="sm" c="dimmed" mt="xs">
          {t("imports.notListed", { count: report.notListed.issues })}
        </Text>
      )}
    </>
  );
}
