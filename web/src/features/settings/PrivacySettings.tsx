// Settings → Privacy: the suppression list's size by reason, and checking whether one address is on it.
import { Button, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { SuppressionCheck, SuppressionCounts } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

const REASONS = ["erased", "unsubscribed", "complained"] as const;

export function PrivacySettings() {
  const { t, formatNumber, formatDateTime } = useI18n();
  const api = useApi();
  const counts = useQuery({
    queryKey: ["suppressions"],
    queryFn: () => api.get<SuppressionCounts>("/api/suppressions"),
  });
  const [address, setAddress] = useState("");
  const [checked, setChecked] = useState<{ address: string; result: SuppressionCheck } | null>(null);

  async function check(event: FormEvent) {
    event.preventDefault();
    const given = address.trim();
    if (!given) return;
    try {
      setChecked({
        address: given,
        result: await api.get<SuppressionCheck>("/api/suppressions/check", { address: given }),
      });
    } catch (error) {
      notifyFailure(error);
    }
  }

  return (
    <Stack gap="md" maw={640}>
      <Text size="sm">{t("settings.privacy.intro")}</Text>
      {counts.isPending ? (
        <Loading />
      ) : counts.isError ? (
        <ErrorAlert error={counts.error} />
      ) : (
        <Table withTableBorder data-testid="suppression-counts">
          <Table.Tbody>
            {REASONS.map((reason) => (
              <Table.Tr key={reason}>
                <Table.Th scope="row">{t(`settings.privacy.reasons.${reason}`)}</Table.Th>
                <Table.Td>{formatNumber(counts.data.byReason[reason])}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Th scope="row">{t("settings.privacy.total")}</Table.Th>
              <Table.Td>{formatNumber(counts.data.total)}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
      <form onSubmit={check}>
        <Group align="flex-end">
          <TextInput
            label={t("settings.privacy.checkLabel")}
            type="email"
            value={address}
            onChange={(e) => setAddress(e.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button type="submit" variant="default">
            {t("settings.privacy.check")}
          </Button>
        </Group>
      </form>
      {checked && (
        <Text size="sm" role="status">
          {checked.result.entry
            ? t("settings.privacy.suppressed", {
                address: checked.address,
                reason: t(`settings.privacy.reasons.${checked.result.entry.reason}`),
                since: formatDateTime(checked.result.entry.createdAt),
              })
            : t("settings.privacy.notSuppressed", { address: checked.address })}
        </Text>
      )}
    </Stack>
  );
}
