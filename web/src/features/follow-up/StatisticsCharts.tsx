// The statistics charts: opens and clicks per hour over the first 48 hours with the peak hour marked, clicks and
// clickers per link, and the recipients by what became of them.
import { BarChart, DonutChart } from "@mantine/charts";
import { Group, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { type ReactNode, useMemo } from "react";
import { type Translate, useI18n } from "../../i18n/i18n.tsx";
import type { MailingStatistics } from "./types.ts";

function ChartCard({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" data-testid={testId}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** The fewest hours the timeline shows, so one busy hour is not a single bar across the card. */
const MIN_HOURS_SHOWN = 6;

/** "YYYY-MM-DDTHH" in UTC → a Date at that hour. */
const hourDate = (hour: string) => new Date(`${hour}:00:00Z`);

function Timeline({ stats }: { stats: MailingStatistics }) {
  const { t, language, formatNumber } = useI18n();
  const { hours, peakHour } = stats.timeline;
  const format = useMemo(
    () =>
      new Intl.DateTimeFormat(language === "nb" ? "nb-NO" : "en-GB", {
        day: "numeric",
        month: "short",
        hour: "2-digit",
        minute: "2-digit",
      }),
    [language],
  );
  // The bars use the width for the hours that have something: up to the last active hour and one more, at least six.
  const lastActive = hours.findLastIndex((h) => h.opened + h.clicked > 0);
  const shown = hours.slice(0, Math.max(MIN_HOURS_SHOWN, lastActive + 2));
  const data = shown.map((h) => ({ ...h, label: format.format(hourDate(h.hour)) }));
  const peak = peakHour ? format.format(hourDate(peakHour)) : null;
  const peakRow = hours.find((h) => h.hour === peakHour);
  return (
    <ChartCard title={t("followUp.charts.timeline")} testId="chart-timeline">
      {hours.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("followUp.charts.notStarted")}
        </Text>
      ) : (
        <>
          <Text size="sm" mb="xs" data-testid="peak-hour">
            {peak && peakRow
              ? t("followUp.charts.peak", {
                  hour: peak,
                  opened: formatNumber(peakRow.opened),
                  clicked: formatNumber(peakRow.clicked),
                })
              : t("followUp.charts.noActivity")}
          </Text>
          <BarChart
            h={260}
            data={data}
            dataKey="label"
            data-testid="timeline-bars"
            data-hours={data.length}
            series={[
              { name: "opened", label: t("followUp.figures.opened"), color: "blue.6" },
              { name: "clicked", label: t("followUp.figures.clicked"), color: "teal.6" },
            ]}
            withLegend
            valueFormatter={formatNumber}
            xAxisProps={{ minTickGap: 24 }}
            yAxisProps={{ allowDecimals: false }}
            referenceLines={
              peak
                ? [
                    {
                      x: peak,
                      color: "red.6",
                      label: t("followUp.charts.peakLabel"),
                      // Inside the plot at the top, clear of the axis and its tick labels.
                      labelPosition: "insideTopRight",
                      strokeWidth: 2,
                    },
                  ]
                : []
            }
          />
        </>
      )}
    </ChartCard>
  );
}

/** A URL short enough for an axis label: host and path, cut in the middle when long. */
function shortUrl(url: string): string {
  let text = url;
  try {
    const u = new URL(url);
    text = `${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    // A URL with merge fields in its host is kept as written.
  }
  return text.length > 40 ? `${text.slice(0, 24)}…${text.slice(-14)}` : text;
}

function Links({ stats }: { stats: MailingStatistics }) {
  const { t, formatNumber } = useI18n();
  const data = stats.links.map((l) => ({ ...l, link: shortUrl(l.url) }));
  return (
    <ChartCard title={t("followUp.charts.links")} testId="chart-links">
      {data.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("followUp.links.none")}
        </Text>
      ) : (
        <BarChart
          h={80 + 44 * data.length}
          data={data}
          dataKey="link"
          orientation="vertical"
          series={[
            { name: "clicks", label: t("followUp.links.clicks"), color: "teal.6" },
            { name: "uniqueClickers", label: t("followUp.links.uniqueClickers"), color: "indigo.5" },
          ]}
          withLegend
          valueFormatter={formatNumber}
          yAxisProps={{ width: 230 }}
          xAxisProps={{ allowDecimals: false }}
        />
      )}
    </ChartCard>
  );
}

type Slice = { key: string; value: number; color: string };

function statusSlices(stats: MailingStatistics): Slice[] {
  const d = stats.deliveries;
  return [
    { key: "delivered", value: d.sent, color: "green.6" },
    { key: "notYetSent", value: d.pending + d.claimed + d.sending, color: "gray.4" },
    { key: "bounced", value: d.bounced, color: "orange.6" },
    { key: "complained", value: d.complained, color: "grape.6" },
    { key: "failed", value: d.failed, color: "red.6" },
    { key: "unknown", value: d.unknown, color: "yellow.5" },
    { key: "cancelled", value: d.cancelled, color: "dark.3" },
    { key: "blocked", value: stats.recipients.blocked, color: "red.3" },
  ];
}

const sliceLabel = (t: Translate, key: string) => t(`followUp.byStatus.${key}` as Parameters<Translate>[0]);

function ByStatus({ stats }: { stats: MailingStatistics }) {
  const { t, formatNumber } = useI18n();
  const slices = statusSlices(stats).filter((s) => s.value > 0);
  return (
    <ChartCard title={t("followUp.charts.byStatus")} testId="chart-by-status">
      {slices.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("followUp.charts.notStarted")}
        </Text>
      ) : (
        <Group align="center" gap="xl" wrap="wrap">
          <DonutChart
            size={180}
            thickness={28}
            data={slices.map((s) => ({ name: sliceLabel(t, s.key), value: s.value, color: s.color }))}
            tooltipDataSource="segment"
            valueFormatter={formatNumber}
            chartLabel={formatNumber(stats.recipients.total)}
          />
          <Table w="auto" verticalSpacing={2} data-testid="by-status-legend">
            <Table.Tbody>
              {slices.map((s) => (
                <Table.Tr key={s.key} data-status={s.key}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <span
                        style={{
                          width: 10,
                          height: 10,
                          borderRadius: 2,
                          background: `var(--mantine-color-${s.color.replace(".", "-")})`,
                        }}
                      />
                      <Text size="sm">{sliceLabel(t, s.key)}</Text>
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm" fw={600}>
                      {formatNumber(s.value)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Group>
      )}
    </ChartCard>
  );
}

export function StatisticsCharts({ stats }: { stats: MailingStatistics }) {
  return (
    <Stack gap="md">
      <Timeline stats={stats} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Links stats={stats} />
        <ByStatus stats={stats} />
      </SimpleGrid>
    </Stack>
  );
}
