// A sending domain's last DNS check (SPF, DKIM, DMARC badges, what is wrong in words, each SMTP account's EHLO name)
// and the button that runs it.
import { Badge, Button, Group, Stack, Text, Tooltip } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { DnsCheckStatus, DnsRecordCheck, EhloCheck, SendingDomain } from "../../api/mailing-types.ts";
import { notifyFailure } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

const COLORS: Record<DnsCheckStatus, string> = {
  pass: "green",
  warn: "yellow",
  fail: "red",
  unknown: "gray",
};
const PARTS = [
  ["spf", "SPF"],
  ["dkim", "DKIM"],
  ["dmarc", "DMARC"],
] as const;

export function DnsCheckBadges({ domain }: { domain: SendingDomain }) {
  const { t, formatDateTime } = useI18n();
  const check = domain.check;
  if (!check)
    return (
      <Text size="xs" c="dimmed">
        {t("settings.sending.dnsCheck.never")}
      </Text>
    );
  // Only what needs attention is spelled out; a pass is told by its badge (and its tooltip).
  const all: Array<[string, DnsRecordCheck]> = [
    ...PARTS.map(([key, label]): [string, DnsRecordCheck] => [label, check[key]]),
    [t("settings.sending.dnsCheck.bounce"), check.bounce],
  ];
  const notes = all.filter(([, c]) => c.status !== "pass");
  return (
    <Stack gap={4} data-testid={`dns-check-${domain.domain}`} data-status={check.status}>
      <Group gap={4}>
        {PARTS.map(([key, label]) => (
          <Tooltip key={key} label={check[key].message} multiline maw={360} withArrow>
            <Badge
              style={{ flexShrink: 0, overflow: "visible" }}
              size="sm"
              variant="light"
              color={COLORS[check[key].status]}
              data-status={check[key].status}
            >
              {label}: {t(`settings.sending.dnsCheck.status.${check[key].status}`)}
            </Badge>
          </Tooltip>
        ))}
      </Group>
      {notes.map(([label, c]) => (
        <Text key={label} size="xs" c={c.status === "fail" ? "red" : "dimmed"}>
          {label}: {c.message}
        </Text>
      ))}
      {check.ehlo.map((e) => (
        <EhloLine key={e.accountId} ehlo={e} />
      ))}
      <Text size="xs" c="dimmed">
        {t("settings.sending.dnsCheck.checkedAt", { when: formatDateTime(check.checkedAt) })}
      </Text>
    </Stack>
  );
}

/** One SMTP account's EHLO name: reported beside the domain's verdict, so it has its own badge. */
function EhloLine({ ehlo }: { ehlo: EhloCheck }) {
  const { t } = useI18n();
  const { status, message } = ehlo.check;
  return (
    <Stack gap={2} data-testid={`dns-ehlo-${ehlo.accountId}`} data-status={status}>
      <Group gap={4} wrap="nowrap">
        <Tooltip label={message} multiline maw={360} withArrow>
          <Badge
            style={{ flexShrink: 0, overflow: "visible" }}
            size="sm"
            variant="light"
            color={COLORS[status]}
          >
            EHLO: {t(`settings.sending.dnsCheck.status.${status}`)}
          </Badge>
        </Tooltip>
        <Text size="xs">
          {t("settings.sending.dnsCheck.ehlo", { account: ehlo.accountName })}: {ehlo.name ?? "–"}
        </Text>
      </Group>
      {status !== "pass" && (
        <Text size="xs" c={status === "fail" ? "red" : "dimmed"}>
          {message}
        </Text>
      )}
    </Stack>
  );
}

export function CheckDnsButton({ domain }: { domain: SendingDomain }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);

  async function check() {
    setBusy(true);
    try {
      await api.post<SendingDomain>(`/api/sending-domains/${domain.id}/check`);
      await queryClient.invalidateQueries({ queryKey: ["sending-domains"] });
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Button size="compact-xs" variant="light" loading={busy} onClick={check}>
      {t("settings.sending.dnsCheck.run")}
    </Button>
  );
}
