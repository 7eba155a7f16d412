// While a mailing sends (and after): progress polled every 2 s (sent of total, rate, ETA), pause / resume /
// cancel, and the problems panel.
import { Anchor, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Mailing, MailingStatus, Progress as SendProgress } from "../../api/mailing-types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { notifyFailure } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { type Translate, useI18n } from "../../i18n/i18n.tsx";
import { mailingKey, mailingPartsKey, useMailingChanged } from "../mailings/queries.ts";
import { SmsWindowNote } from "../sms/SmsWindowNote.tsx";
import { DeliveryProblems } from "./DeliveryProblems.tsx";

const LIVE: MailingStatus[] = ["sending", "paused", "scheduled"];

function eta(t: Translate, seconds: number | null): string {
  if (seconds === null) return "–";
  if (seconds < 60) return t("sending.etaSeconds", { n: Math.max(1, Math.round(seconds)) });
  if (seconds < 3600) return t("sending.etaMinutes", { n: Math.round(seconds / 60) });
  return t("sending.etaHours", { h: Math.floor(seconds / 3600), m: Math.round((seconds % 3600) / 60) });
}

export function SendingPanel({ mailing }: { mailing: Mailing }) {
  const { t, formatNumber, formatDateTime } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const changed = useMailingChanged();
  const { can } = useSession();
  const [busy, setBusy] = useState<string | null>(null);
  const base = `/api/mailings/${mailing.id}`;

  const progress = useQuery({
    queryKey: [...mailingPartsKey(mailing.id), "progress"],
    queryFn: () => api.get<SendProgress>(`${base}/progress`),
    refetchInterval: (query) => (LIVE.includes(query.state.data?.status ?? mailing.status) ? 2000 : false),
  });

  // The worker moves the mailing on (sending → finished): read the mailing again when the progress says so.
  const liveStatus = progress.data?.status;
  useEffect(() => {
    if (liveStatus && liveStatus !== mailing.status)
      void queryClient.invalidateQueries({ queryKey: mailingKey(mailing.id) });
  }, [liveStatus, mailing.status, mailing.id, queryClient]);

  async function lifecycle(action: "pause" | "resume" | "cancel") {
    setBusy(action);
    try {
      await changed(await api.post<Mailing>(`${base}/${action}`));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(null);
    }
  }

  const p = progress.data;
  const status = p?.status ?? mailing.status;
  const total = p?.total ?? 0;
  const share = (n: number) => (total > 0 ? (n / total) * 100 : 0);

  return (
    <Stack gap="md">
      <SmsWindowNote mailing={mailing} />
      <Paper withBorder p="md" radius="md" data-testid="sending-progress">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <Title order={2} size="h4">
            {t(`sending.progressTitle.${status}`)}
          </Title>
          {can("send") && (
            <Group gap="sm">
              {status === "sending" && (
                <Button variant="default" loading={busy === "pause"} onClick={() => lifecycle("pause")}>
                  {t("sending.pause")}
                </Button>
              )}
              {status === "paused" && (
                <Button loading={busy === "resume"} onClick={() => lifecycle("resume")}>
                  {t("sending.resume")}
                </Button>
              )}
              {(status === "sending" || status === "paused") && (
                <ConfirmButton
                  title={t("sending.cancelTitle")}
                  message={t("sending.cancelSendingConfirm")}
                  confirmLabel={t("sending.cancelMailing")}
                  onConfirm={() => lifecycle("cancel")}
                >
                  {t("sending.cancelMailing")}
                </ConfirmButton>
              )}
            </Group>
          )}
        </Group>
        {/* Each section is a progressbar of its own: each carries its name. */}
        <Progress.Root size="xl">
          {(p?.sent ?? 0) > 0 && (
            <Progress.Section value={share(p?.sent ?? 0)} color="green" aria-label={t("sending.sentShare")} />
          )}
          {(p?.failed ?? 0) > 0 && (
            <Progress.Section value={share(p?.failed ?? 0)} color="red" aria-label={t("sending.failed")} />
          )}
          {(p?.unknown ?? 0) > 0 && (
            <Progress.Section
              value={share(p?.unknown ?? 0)}
              color="orange"
              aria-label={t("sending.unknown")}
            />
          )}
        </Progress.Root>
        <Text mt="xs" fw={600} data-testid="progress-sent" role="status">
          {t("sending.sentOf", { sent: formatNumber(p?.sent ?? 0), total: formatNumber(total) })}
        </Text>
        <SimpleGrid cols={{ base: 2, md: 5 }} mt="sm">
          <Figure label={t("sending.failed")} value={formatNumber(p?.failed ?? 0)} />
          <Figure label={t("sending.unknown")} value={formatNumber(p?.unknown ?? 0)} />
          <Figure label={t("sending.pending")} value={formatNumber(p?.pending ?? 0)} />
          <Figure
            label={t("sending.rate")}
            value={
              status === "sending"
                ? t("sending.perSecond", { n: formatNumber(Math.round((p?.ratePerSecond ?? 0) * 10) / 10) })
                : "–"
            }
          />
          <Figure
            label={t("sending.eta")}
            value={status === "sending" ? eta(t, p?.etaSeconds ?? null) : "–"}
          />
        </SimpleGrid>
        <Group gap="lg" mt="sm">
          {mailing.startedAt && (
            <Text size="sm" c="dimmed">
              {t("sending.startedAt", { when: formatDateTime(mailing.startedAt) })}
            </Text>
          )}
          {mailing.finishedAt && (
            <Text size="sm" c="dimmed">
              {t("sending.finishedAt", { when: formatDateTime(mailing.finishedAt) })}
            </Text>
          )}
          <Anchor component={Link} to={`/outbox?mailingId=${mailing.id}`} size="sm">
            {t("sending.inOutbox")}
          </Anchor>
        </Group>
      </Paper>
      <DeliveryProblems mailingId={mailing.id} failed={p?.failed ?? 0} unknown={p?.unknown ?? 0} />
    </Stack>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </Stack>
  );
}
