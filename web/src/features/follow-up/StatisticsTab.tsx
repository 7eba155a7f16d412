// A sent mailing's Statistics tab: the figures (with rates over delivered, bounce rate over sent, machine opens and
// clicks shown apart) and the charts under them. Refreshed every 10 s while the mailing sends.
import { Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import type { Mailing } from "../../api/mailing-types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { usePercent, useStatistics } from "./queries.ts";
import { StatisticsCharts } from "./StatisticsCharts.tsx";
import type { MailingStatistics } from "./types.ts";

function Figure({
  id,
  label,
  value,
  rate,
  children,
}: {
  id: string;
  label: string;
  value: number;
  rate?: string;
  children?: ReactNode;
}) {
  const { formatNumber } = useI18n();
  return (
    <Paper withBorder p="sm" radius="md" data-testid={`figure-${id}`}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Group gap="xs" align="baseline" wrap="nowrap">
        <Text fz={28} fw={700} data-testid={`figure-${id}-value`}>
          {formatNumber(value)}
        </Text>
        {rate !== undefined && (
          <Text size="sm" c="dimmed" data-testid={`figure-${id}-rate`}>
            {rate}
          </Text>
        )}
      </Group>
      {children}
    </Paper>
  );
}

function Detail({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Text size="xs" c="dimmed" data-testid={testId}>
      {children}
    </Text>
  );
}

function Flagged({ id, count }: { id: string; count: number }) {
  const { t } = useI18n();
  if (count === 0) return null;
  return (
    <Badge mt={4} size="sm" variant="light" color="gray" data-testid={`figure-${id}-flagged`}>
      {t("followUp.flagged", { count: count })}
    </Badge>
  );
}

function Figures({ stats }: { stats: MailingStatistics }) {
  const { t, formatNumber } = useI18n();
  const percent = usePercent();
  const n = formatNumber;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" data-testid="statistics-figures">
      <Figure id="sent" label={t("followUp.figures.sent")} value={stats.sent}>
        <Detail>{t("followUp.notYetSent", { count: stats.notYetSent })}</Detail>
      </Figure>
      <Figure id="delivered" label={t("followUp.figures.delivered")} value={stats.delivered}>
        <Detail>{t("followUp.ofRecipients", { count: stats.recipients.eligible })}</Detail>
      </Figure>
      <Figure
        id="opened"
        label={t("followUp.figures.opened")}
        value={stats.opened.unique}
        rate={percent(stats.rates.open)}
      >
        <Detail>{t("followUp.opensInAll", { count: stats.opened.total })}</Detail>
        <Flagged id="opened" count={stats.opened.flagged} />
      </Figure>
      <Figure
        id="clicked"
        label={t("followUp.figures.clicked")}
        value={stats.clicked.unique}
        rate={percent(stats.rates.clickThrough)}
      >
        <Detail>{t("followUp.clicksInAll", { count: stats.clicked.total })}</Detail>
        <Flagged id="clicked" count={stats.clicked.flagged} />
      </Figure>
      <Figure
        id="bounced"
        label={t("followUp.figures.bounced")}
        value={stats.bounced.total}
        rate={percent(stats.rates.bounce)}
      >
        <Detail>
          {t("followUp.hardSoft", { hard: n(stats.bounced.hard), soft: n(stats.bounced.soft) })}
        </Detail>
      </Figure>
      <Figure
        id="unsubscribed"
        label={t("followUp.figures.unsubscribed")}
        value={stats.unsubscribed}
        rate={percent(stats.rates.unsubscribe)}
      />
      <Figure id="complained" label={t("followUp.figures.complained")} value={stats.complained} />
      <Figure id="failed" label={t("followUp.figures.failed")} value={stats.failed} />
      <Figure id="unknown" label={t("followUp.figures.unknown")} value={stats.unknown} />
      <Figure id="blocked" label={t("followUp.figures.blocked")} value={stats.recipients.blocked}>
        {stats.recipients.leftOut > 0 && (
          <Detail>{t("followUp.leftOut", { count: stats.recipients.leftOut })}</Detail>
        )}
      </Figure>
    </SimpleGrid>
  );
}

/** Deliveries waiting by recipient domain: a 4xx (retried with back-off up to 24 h), or held by pacing or warm-up. */
function Problems({ deferred }: { deferred: MailingStatistics["deferredByDomain"] }) {
  const { t, formatNumber, formatDateTime } = useI18n();
  if (deferred.length === 0) return null;
  return (
    <Paper withBorder p="sm" radius="md" data-testid="statistics-problems">
      <Title order={3} size="h5" id="statistics-problems-title">
        {t("followUp.problems.title")}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {t("followUp.problems.help")}
      </Text>
      <Table.ScrollContainer minWidth={520}>
        <Table aria-labelledby="statistics-problems-title" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("followUp.problems.domain")}</Table.Th>
              <Table.Th scope="col" ta="right">
                {t("followUp.problems.waiting")}
              </Table.Th>
              <Table.Th scope="col">{t("followUp.problems.lastReply")}</Table.Th>
              <Table.Th scope="col">{t("followUp.problems.nextTry")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deferred.map((d) => (
              <Table.Tr key={d.domain} data-testid={`deferred-${d.domain}`}>
                <Table.Th scope="row" fw={500}>
                  {d.domain}
                </Table.Th>
                <Table.Td ta="right">{formatNumber(d.waiting)}</Table.Td>
                <Table.Td>
                  {d.lastReply ?? (d.heldBy ? t(`followUp.problems.heldBy.${d.heldBy}`) : "–")}
                </Table.Td>
                <Table.Td>{formatDateTime(d.nextTryAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

export function StatisticsTab({ mailing }: { mailing: Mailing }) {
  const { t } = useI18n();
  const query = useStatistics(mailing);
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <Stack gap="md" data-testid="statistics-tab">
      <Figures stats={query.data} />
      <Text size="xs" c="dimmed">
        {t("followUp.ratesHelp")}
      </Text>
      <Problems deferred={query.data.deferredByDomain} />
      <StatisticsCharts stats={query.data} />
    </Stack>
  );
}
