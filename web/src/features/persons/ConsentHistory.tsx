// The append-only history of a person's consent and subscription changes.
import { Paper, Table, Text, Title } from "@mantine/core";
import { useConsentPurposes } from "../../api/catalogue.ts";
import type { ConsentHistoryEntry } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { type Translate, translateKnown, useI18n } from "../../i18n/i18n.tsx";
import { useConsentHistory } from "./queries.ts";

export function ConsentHistory({ personId }: { personId: number }) {
  const { t, formatDateTime } = useI18n();
  const query = useConsentHistory(personId);
  const purposes = useConsentPurposes();
  const purposeName = (key: string | null) => purposes.data?.items.find((p) => p.key === key)?.name ?? key;

  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        {t("consents.history")}
      </Title>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorAlert error={query.error} />
      ) : query.data.items.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("consents.historyEmpty")}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table striped verticalSpacing={6} data-testid="consent-history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={170}>{t("consents.when")}</Table.Th>
                <Table.Th>{t("consents.what")}</Table.Th>
                <Table.Th>{t("consents.change")}</Table.Th>
                <Table.Th>{t("consents.source")}</Table.Th>
                <Table.Th>{t("consents.by")}</Table.Th>
                <Table.Th>{t("consents.comment")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td>{formatDateTime(entry.createdAt)}</Table.Td>
                  <Table.Td>{entry.subscriptionType ?? purposeName(entry.purpose)}</Table.Td>
                  <Table.Td>{changeLabel(t, entry)}</Table.Td>
                  <Table.Td>{translateKnown(t, `consents.sources.${entry.source}`, entry.source)}</Table.Td>
                  <Table.Td>{entry.userName}</Table.Td>
                  <Table.Td>{entry.comment}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function changeLabel(t: Translate, entry: ConsentHistoryEntry): string {
  return entry.subscriptionType
    ? translateKnown(t, `subscriptions.statuses.${entry.change}`, entry.change)
    : translateKnown(t, `consents.bases.${entry.change}`, entry.change);
}
