// A sending domain's warm-up ramp: off by default; when on, a daily volume that grows from the first day's by a
// factor each UTC day until it reaches the end volume. Messages beyond a day's allowance wait for the next UTC day.
import { Button, Group, NumberInput, Stack, Switch, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { SendingDomain } from "../../api/mailing-types.ts";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export function WarmUpSetting({ domain }: { domain: SendingDomain }) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(domain.warmUp.enabled);
  const [startPerDay, setStart] = useState<number | string>(domain.warmUp.startPerDay);
  const [growth, setGrowth] = useState<number | string>(domain.warmUp.growth);
  const [untilPerDay, setUntil] = useState<number | string>(domain.warmUp.untilPerDay);
  const [busy, setBusy] = useState(false);

  async function save() {
    setBusy(true);
    try {
      await api.put<SendingDomain>(`/api/sending-domains/${domain.id}/warm-up`, {
        enabled,
        startPerDay: Number(startPerDay),
        growth: Number(growth),
        untilPerDay: Number(untilPerDay),
      });
      await queryClient.invalidateQueries({ queryKey: ["sending-domains"] });
      notifySuccess(t("settings.sending.warmUp.saved", { domain: domain.domain }));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap={6} data-testid="warm-up">
      <Switch
        label={t("settings.sending.warmUp.label")}
        checked={enabled}
        onChange={(e) => setEnabled(e.currentTarget.checked)}
      />
      <Text size="xs" c="dimmed">
        {t("settings.sending.warmUp.help")}
      </Text>
      {enabled && (
        <Group align="flex-end">
          <NumberInput
            w={160}
            label={t("settings.sending.warmUp.startPerDay")}
            min={1}
            value={startPerDay}
            onChange={setStart}
          />
          <NumberInput
            w={160}
            label={t("settings.sending.warmUp.growth")}
            min={1.01}
            max={10}
            step={0.1}
            decimalScale={2}
            value={growth}
            onChange={setGrowth}
          />
          <NumberInput
            w={180}
            label={t("settings.sending.warmUp.untilPerDay")}
            min={2}
            value={untilPerDay}
            onChange={setUntil}
          />
        </Group>
      )}
      {domain.warmUp.enabled && (
        <Text size="xs" data-testid="warm-up-today">
          {domain.warmUp.allowanceToday === null
            ? t("settings.sending.warmUp.over")
            : t("settings.sending.warmUp.today", {
                limit: formatNumber(domain.warmUp.allowanceToday),
                since: domain.warmUp.startedOn ?? "",
              })}
        </Text>
      )}
      <Group>
        <Button size="compact-sm" onClick={save} loading={busy}>
          {t("common.save")}
        </Button>
      </Group>
    </Stack>
  );
}
