// Projects: table with search and status filter.
import { Anchor, Button, Select, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Link } from "react-router";
import type { Project } from "../../api/types.ts";
import { ListPage } from "../../app/ListPage.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListQuery } from "../../app/use-list-query.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { ProjectFormModal } from "./ProjectFormModal.tsx";
import { PROJECT_STATUSES, StatusBadge } from "./StatusBadge.tsx";

export function ProjectsPage() {
  const { t, formatNumber } = useI18n();
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const list = useListQuery<Project, "q" | "status">("projects", "/api/projects", ["q", "status"]);
  const { values, set } = list;

  return (
    <ListPage
      title={t("projects.title")}
      actions={can("write") && <Button onClick={open}>{t("projects.new")}</Button>}
      list={list}
      empty={{ title: t("projects.empty"), hint: t("projects.emptyHint") }}
      noMatches={{ title: t("projects.noMatches"), hint: t("common.tryOtherSearch") }}
      filters={
        <>
          <SearchInput
            value={values.q}
            onSearch={(q) => set({ q })}
            placeholder={t("projects.searchPlaceholder")}
          />
          <Select
            w={180}
            aria-label={t("projects.status")}
            placeholder={t("projects.allStatuses")}
            clearable
            value={values.status || null}
            onChange={(status) => set({ status: status ?? "" })}
            data={PROJECT_STATUSES.map((s) => ({ value: s, label: t(`projects.statuses.${s}`) }))}
          />
        </>
      }
      rows={(items) => (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="projects-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="32%">{t("projects.name")}</Table.Th>
                <Table.Th w={140}>{t("projects.status")}</Table.Th>
                <Table.Th>{t("projects.description")}</Table.Th>
                <Table.Th w={110} ta="right">
                  {t("projects.memberCount")}
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/projects/${p.id}`} fw={500}>
                      {p.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={p.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed" lineClamp={1}>
                      {p.description}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(p.memberCount ?? 0)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    >
      <ProjectFormModal project={null} opened={creating} onClose={close} />
    </ListPage>
  );
}
