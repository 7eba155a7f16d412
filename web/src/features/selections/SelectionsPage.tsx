// Selections: table with search and kind filter, and the form that creates one.
import { Anchor, Button, Group, Paper, Select, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Page, Selection, SelectionKind } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { CreateSelectionModal } from "./CreateSelectionModal.tsx";
import { KindBadge } from "./KindBadge.tsx";

const KINDS: SelectionKind[] = ["static", "dynamic", "combined"];

export function SelectionsPage() {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const { values, offset, set } = useListParams(["q", "kind"] as const);

  const query = useQuery({
    queryKey: ["selections", "list", values, offset],
    queryFn: () =>
      api.get<Page<Selection>>("/api/selections", {
        q: values.q.trim(),
        kind: values.kind,
        limit: PAGE_SIZE,
        offset,
      }),
    placeholderData: keepPreviousData,
  });
  const filtered = Boolean(values.q || values.kind);

  return (
    <>
      <PageHeader
        title={t("selections.title")}
        actions={can("write") && <Button onClick={open}>{t("selections.new")}</Button>}
      />
      <Paper withBorder p="md" radius="md">
        <Group mb="md" gap="sm">
          <SearchInput
            value={values.q}
            onSearch={(q) => set({ q })}
            placeholder={t("selections.searchPlaceholder")}
          />
          <Select
            w={180}
            aria-label={t("selections.kind")}
            placeholder={t("selections.allKinds")}
            clearable
            value={values.kind || null}
            onChange={(kind) => set({ kind: kind ?? "" })}
            data={KINDS.map((k) => ({ value: k, label: t(`selections.kinds.${k}`) }))}
          />
        </Group>
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorAlert error={query.error} />
        ) : query.data.items.length === 0 ? (
          <EmptyNote
            title={filtered ? t("selections.noMatches") : t("selections.empty")}
            description={filtered ? t("common.tryOtherSearch") : t("selections.emptyHint")}
          />
        ) : (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table striped highlightOnHover verticalSpacing="xs" data-testid="selections-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w="30%">{t("selections.name")}</Table.Th>
                    <Table.Th w={130}>{t("selections.kind")}</Table.Th>
                    <Table.Th>{t("selections.description")}</Table.Th>
                    <Table.Th w={190}>{t("common.updated")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {query.data.items.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/selections/${s.id}`} fw={500}>
                          {s.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <KindBadge kind={s.kind} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed" lineClamp={1}>
                          {s.description}
                        </Text>
                      </Table.Td>
                      <Table.Td>{formatDateTime(s.updatedAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager total={query.data.total} offset={offset} onOffset={(o) => set({ offset: o })} />
          </>
        )}
      </Paper>
      <CreateSelectionModal opened={creating} onClose={close} />
    </>
  );
}
