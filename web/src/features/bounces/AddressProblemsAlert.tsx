// The warning on a person's page when one of their addresses is blocked or bouncing: the fault, and the actions
// to clear the block or correct the address.
import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { useBounceChanged } from "./BounceActions.tsx";
import { Reply } from "./BounceBadges.tsx";
import { CorrectAddressModal } from "./CorrectAddressModal.tsx";
import type { AddressProblem } from "./types.ts";

export function AddressProblemsAlert({ problems }: { problems: AddressProblem[] | undefined }) {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const changed = useBounceChanged();
  const [busy, setBusy] = useState<string | null>(null);
  const [correcting, setCorrecting] = useState<string | null>(null);
  if (!problems || problems.length === 0) return null;
  const blocked = problems.some((p) => p.blocked);

  async function clear(address: string) {
    setBusy(address);
    try {
      await api.post("/api/blocked-addresses/clear", { addresses: [address] });
      notifySuccess(t("bounces.clearedOne", { address }));
      await changed();
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Alert
      color={blocked ? "red" : "yellow"}
      title={blocked ? t("bounces.personBlocked") : t("bounces.personBouncing")}
      mb="lg"
      data-testid="address-problems"
    >
      <Stack gap="sm">
        {problems.map((p) => (
          <Stack key={p.address} gap={4}>
            <Text size="sm">
              {p.blocked
                ? t("bounces.problemBlocked", {
                    address: p.address,
                    reason: t(`bounces.reasons.${p.reason ?? "other"}`),
                    when: formatDateTime(p.updatedAt),
                  })
                : t("bounces.problemCounting", { address: p.address, count: p.softCount })}
            </Text>
            <Reply statusCode={p.statusCode} diagnostic={p.diagnostic} />
            <Group gap="xs">
              {p.blocked && can("write") && (
                <Button
                  size="compact-sm"
                  variant="white"
                  loading={busy === p.address}
                  onClick={() => clear(p.address)}
                >
                  {t("bounces.actions.clear")}
                </Button>
              )}
              {can("send") && (
                <Button size="compact-sm" variant="white" onClick={() => setCorrecting(p.address)}>
                  {t("bounces.actions.correct")}
                </Button>
              )}
            </Group>
          </Stack>
        ))}
      </Stack>
      <CorrectAddressModal address={correcting} onClose={() => setCorrecting(null)} />
    </Alert>
  );
}
