// A form's statistics: views of the hosted page, submissions and what became of them, conversion (submissions ÷
// views), a chart per day, and the refused submissions by reason (abuse checks; never a silent drop).
import { BarChart } from "@mantine/charts";
import { Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { type MessageKey, useI18n } from "../../i18n/i18n.tsx";
import { useForm } from "./queries.ts";
import { ResponseMailingLinks } from "./ResponseMailingLinks.tsx";
import type { FormStatistics } from "./types.ts";

const FIGURES: Array<{ key: keyof FormStatistics; label: MessageKey }> = [
  { key: "views", label: "forms.statistics.views" },
  { key: "submissions", label: "forms.statistics.submissions" },
  { key: "confirmed", label: "forms.statistics.confirmed" },
  { key: "processed", label: "forms.statistics.processed" },
  { key: "rejected", label: "forms.statistics.rejected" },
  { key: "awaitingConfirmation", label: "forms.statistics.awaitingConfirmation" },
  { key: "awaitingManual", label: "forms.statistics.awaitingManual" },
  { key: "expired", label: "forms.statistics.expired" },
];

export function StatisticsPage() {
  const { t, language, formatNumber } = useI18n();
  const id = Number(useParams().id);
  const api = useApi();
  const form = useForm(id);
  const query = useQuery({
    queryKey: ["forms", id, "statistics"],
    queryFn: () => api.get<FormStatistics>(`/api/forms/${id}/statistics`),
  });
  const dayFormat = useMemo(
    () =>
      new Intl.DateTimeFormat(language === "nb" ? "nb-NO" : "en-GB", {
        day: "numeric",
        month: "short",
        timeZone: "UTC",
      }),
    [language],
  );
  const percent = useMemo(
    () =>
      new Intl.NumberFormat(language === "nb" ? "nb-NO" : "en-GB", {
        style: "percent",
        maximumFractionDigits: 1,
      }),
    [language],
  );

  const header = (
    <PageHeader
      back={{ to: `/forms/${id}`, label: form.data?.name ?? t("nav.forms") }}
      title={t("forms.statistics.title")}
      subtitle={form.data?.name}
    />
  );
  if (query.isPending)
    return (
      <>
        {header}
        <Loading />
      </>
    );
  if (query.isError)
    return (
      <>
        {header}
        <ErrorAlert error={query.error} />
      </>
    );
  const stats = query.data;
  const data = stats.days.map((d) => ({ ...d, label: dayFormat.format(new Date(`${d.day}T00:00:00Z`)) }));

  return (
    <>
      {header}
      <Stack gap="lg">
        {form.data?.actions.responseMailingId != null && (
          <ResponseMailingLinks mailingId={form.data.actions.responseMailingId} named />
        )}
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} data-testid="form-figures">
          {FIGURES.map((f) => (
            <Paper key={f.key} withBorder p="md" radius="md">
              <Text size="sm" c="dimmed">
                {t(f.label)}
              </Text>
              <Text fz="xl" fw={700} data-testid={`figure-${f.key}`}>
                {formatNumber(stats[f.key] as number)}
              </Text>
            </Paper>
          ))}
          <Paper withBorder p="md" radius="md">
            <Text size="sm" c="dimmed">
              {t("forms.statistics.conversion")}
            </Text>
            <Text fz="xl" fw={700} data-testid="figure-conversion">
              {stats.conversion === null ? "—" : percent.format(stats.conversion)}
            </Text>
          </Paper>
        </SimpleGrid>
        <Paper withBorder p="md" radius="md" data-testid="chart-days">
          <Title order={2} size="h4" mb="sm">
            {t("forms.statistics.perDay")}
          </Title>
          {data.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t("forms.statistics.noDays")}
            </Text>
          ) : (
            <BarChart
              h={280}
              data={data}
              dataKey="label"
              series={[
                { name: "views", label: t("forms.statistics.views"), color: "gray.6" },
                { name: "submissions", label: t("forms.statistics.submissions"), color: "blue.6" },
                { name: "processed", label: t("forms.statistics.processed"), color: "teal.6" },
              ]}
              withLegend
              valueFormatter={formatNumber}
              xAxisProps={{ minTickGap: 24 }}
              yAxisProps={{ allowDecimals: false }}
            />
          )}
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="xs">
            {t("forms.statistics.refusals")}
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            {t("forms.statistics.refusalsHint")}
          </Text>
          {stats.refusals.length === 0 ? (
            <Text size="sm" data-testid="no-refusals">
              {t("forms.statistics.noRefusals")}
            </Text>
          ) : (
            <Table verticalSpacing="xs" data-testid="refusals" maw={560}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("forms.statistics.reason")}</Table.Th>
                  <Table.Th ta="right">{t("forms.statistics.count")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {stats.refusals.map((r) => (
                  <Table.Tr key={r.reason}>
                    <Table.Td>{refusalText(t, r.reason)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(r.count)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
      </Stack>
    </>
  );
}

/** A known refusal reason in words; an unknown one as the server named it. */
function refusalText(t: (key: MessageKey) => string, reason: string): string {
  const key = `forms.refusalReasons.${reason}` as MessageKey;
  const text = t(key);
  return text === key ? reason : text;
}
