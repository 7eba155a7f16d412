// Selections: table with search and kind filter, and the form that creates one.
import { Anchor, Button, Select, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Link } from "react-router";
import type { Selection, SelectionKind } from "../../api/types.ts";
import { ListPage } from "../../app/ListPage.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListQuery } from "../../app/use-list-query.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { CreateSelectionModal } from "./CreateSelectionModal.tsx";
import { KindBadge } from "./KindBadge.tsx";

const KINDS: SelectionKind[] = ["static", "dynamic", "combined"];

export function SelectionsPage() {
  const { t, formatDateTime } = useI18n();
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const list = useListQuery<Selection, "q" | "kind">("selections", "/api/selections", ["q", "kind"]);
  const { values, set } = list;

  return (
    <ListPage
      title={t("selections.title")}
      actions={can("write") && <Button onClick={open}>{t("selections.new")}</Button>}
      list={list}
      empty={{ title: t("selections.empty"), hint: t("selections.emptyHint") }}
      noMatches={{ title: t("selections.noMatches"), hint: t("common.tryOtherSearch") }}
      filters={
        <>
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
        </>
      }
      rows={(items) => (
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
              {items.map((s) => (
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
      )}
    >
      <CreateSelectionModal opened={creating} onClose={close} />
    </ListPage>
  );
}
