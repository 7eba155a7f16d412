// Mailings linked to a selection (its Mailings tab) or a project (its Activities tab).
import { Badge, Table } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { Items, LinkedMailing } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";

export function LinkedMailings({ path, emptyTitle }: { path: string; emptyTitle: string }) {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const query = useQuery({
    queryKey: ["linked-mailings", path],
    queryFn: () => api.get<Items<LinkedMailing>>(path),
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  if (query.data.items.length === 0) {
    return <EmptyNote title={emptyTitle} description={t("mailings.linkedHint")} />;
  }
  return (
    <Table striped verticalSpacing="xs" data-testid="linked-mailings">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("mailings.name")}</Table.Th>
          <Table.Th w={140}>{t("mailings.status")}</Table.Th>
          <Table.Th w={200}>{t("mailings.sentAt")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {query.data.items.map((m) => (
          <Table.Tr key={m.id}>
            <Table.Td>{m.name}</Table.Td>
            <Table.Td>{m.status && <Badge variant="light">{m.status}</Badge>}</Table.Td>
            <Table.Td>{formatDateTime(m.sentAt)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
