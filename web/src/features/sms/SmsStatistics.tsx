// A sent SMS mailing's Statistics tab: sent, delivered, failed, awaiting a report, parts and opt-outs, and the
// deliveries per hour. No opens, clicks or links: an SMS has none.
import { BarChart } from "@mantine/charts";
import { Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import type { Mailing } from "../../api/mailing-types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { useStatistics } from "../follow-up/queries.ts";
import type { SmsStatistics as Figures } from "./types.ts";

const FIGURES = ["sent", "delivered", "failed", "awaitingReport", "parts", "optOuts"] as const;

function Figure({ id, label, value }: { id: string; label: string; value: number }) {
  const { formatNumber } = useI18n();
  return (
    <Paper withBorder p="sm" radius="md" data-testid={`sms-figure-${id}`}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} data-testid={`sms-figure-${id}-value`}>
        {formatNumber(value)}
      </Text>
    </Paper>
  );
}

function Timeline({ sms }: { sms: Figures }) {
  const { t, language, formatNumber } = useI18n();
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
  const data = sms.timeline.map((h) => ({ ...h, label: format.format(new Date(h.at)) }));
  return (
    <Paper withBorder p="md" radius="md" data-testid="sms-chart-timeline">
      <Title order={2} size="h4" mb="sm">
        {t("sms.statistics.timeline")}
      </Title>
      {data.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("followUp.charts.notStarted")}
        </Text>
      ) : (
        <BarChart
          h={260}
          data={data}
          dataKey="label"
          series={[
            { name: "sent", label: t("sms.statistics.figures.sent"), color: "blue.6" },
            { name: "delivered", label: t("sms.statistics.figures.delivered"), color: "teal.7" },
            { name: "failed", label: t("sms.statistics.figures.failed"), color: "red.7" },
          ]}
          withLegend
          valueFormatter={formatNumber}
          xAxisProps={{ minTickGap: 24 }}
          yAxisProps={{ allowDecimals: false }}
        />
      )}
    </Paper>
  );
}

export function SmsStatistics({ mailing }: { mailing: Mailing }) {
  const { t } = useI18n();
  const query = useStatistics(mailing);
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const sms = (query.data as { sms?: Figures | null }).sms ?? null;
  if (!sms) return <Text c="dimmed">{t("followUp.charts.notStarted")}</Text>;
  return (
    <Stack gap="md" data-testid="sms-statistics">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
        {FIGURES.map((key) => (
          <Figure key={key} id={key} label={t(`sms.statistics.figures.${key}`)} value={sms[key]} />
        ))}
      </SimpleGrid>
      <Timeline sms={sms} />
    </Stack>
  );
}
