// A person's status for every subscription type; changing it records the change in the consent history.
import { Paper, Select, Table, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSubscriptionTypes } from "../../api/catalogue.ts";
import { ApiError } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { Person, SubscriptionStatus } from "../../api/types.ts";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";

const STATUSES: SubscriptionStatus[] = ["subscribed", "unsubscribed", "never"];

export function PersonSubscriptions({ person }: { person: Person }) {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const types = useSubscriptionTypes();
  const [saving, setSaving] = useState<number | null>(null);

  async function change(typeId: number, status: SubscriptionStatus) {
    setSaving(typeId);
    try {
      await api.put(`/api/persons/${person.id}/subscriptions/${typeId}`, { status });
      await queryClient.invalidateQueries({ queryKey: ["persons"] });
      notifySuccess(t("subscriptions.saved"));
    } catch (error) {
      if (error instanceof ApiError && error.code === "UNSUBSCRIBE_REMEMBERED") {
        notifyFailure(new Error(t("subscriptions.unsubscribeRemembered")));
      } else {
        notifyFailure(error);
      }
    } finally {
      setSaving(null);
    }
  }

  const rows = (types.data?.items ?? []).map((type) => {
    const current = person.subscriptions.find((s) => s.typeId === type.id);
    return { type, status: current?.status ?? "never", updatedAt: current?.updatedAt ?? null };
  });

  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        {t("subscriptions.title")}
      </Title>
      {rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("subscriptions.noTypes")}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={480}>
          <Table verticalSpacing={6} data-testid="subscriptions-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("subscriptions.type")}</Table.Th>
                <Table.Th w={190}>{t("subscriptions.status")}</Table.Th>
                <Table.Th>{t("common.updated")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(({ type, status, updatedAt }) => (
                <Table.Tr key={type.id}>
                  <Table.Td>{type.name}</Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      aria-label={`${t("subscriptions.status")}: ${type.name}`}
                      value={status}
                      allowDeselect={false}
                      disabled={!can("write") || saving === type.id}
                      onChange={(v) => v && v !== status && change(type.id, v as SubscriptionStatus)}
                      data={STATUSES.map((s) => ({ value: s, label: t(`subscriptions.statuses.${s}`) }))}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {formatDateTime(updatedAt)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
