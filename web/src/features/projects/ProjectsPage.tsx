// Projects: table with search and status filter.
import { Anchor, Button, Group, Paper, Select, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Page, Project } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { ProjectFormModal } from "./ProjectFormModal.tsx";
import { PROJECT_STATUSES, StatusBadge } from "./StatusBadge.tsx";

export function ProjectsPage() {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const { values, offset, set } = useListParams(["q", "status"] as const);

  const query = useQuery({
    queryKey: ["projects", "list", values, offset],
    queryFn: () =>
      api.get<Page<Project>>("/api/projects", {
        q: values.q.trim(),
        status: values.status,
        limit: PAGE_SIZE,
        offset,
      }),
    placeholderData: keepPreviousData,
  });
  const filtered = Boolean(values.q || values.status);

  return (
    <>
      <PageHeader
        title={t("projects.title")}
        actions={can("write") && <Button onClick={open}>{t("projects.new")}</Button>}
      />
      <Paper withBorder p="md" radius="md">
        <Group mb="md" gap="sm">
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
        </Group>
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorAlert error={query.error} />
        ) : query.data.items.length === 0 ? (
          <EmptyNote
            title={filtered ? t("projects.noMatches") : t("projects.empty")}
            description={filtered ? t("common.tryOtherSearch") : t("projects.emptyHint")}
          />
        ) : (
          <>
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
                  {query.data.items.map((p) => (
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
            <Pager total={query.data.total} offset={offset} onOffset={(o) => set({ offset: o })} />
          </>
        )}
      </Paper>
      <ProjectFormModal project={null} opened={creating} onClose={close} />
    </>
  );
}
