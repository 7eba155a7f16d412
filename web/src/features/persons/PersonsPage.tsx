// Persons: searchable, filterable table, 50 rows a page.
import { Anchor, Badge, Button, Group, Paper, Select, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Page, PersonSummary } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export function PersonsPage() {
  const { t } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const { values, offset, set } = useListParams(["q", "hasEmail", "hasMobile"] as const);

  const query = useQuery({
    queryKey: ["persons", "list", values, offset],
    queryFn: () =>
      api.get<Page<PersonSummary>>("/api/persons", {
        q: values.q.trim(),
        hasEmail: values.hasEmail,
        hasMobile: values.hasMobile,
        limit: PAGE_SIZE,
        offset,
      }),
    placeholderData: keepPreviousData,
  });

  const filtered = Boolean(values.q || values.hasEmail || values.hasMobile);

  return (
    <>
      <PageHeader
        title={t("persons.title")}
        actions={
          can("write") && (
            <Button component={Link} to="/persons/new">
              {t("persons.new")}
            </Button>
          )
        }
      />
      <Paper withBorder p="md" radius="md">
        <Group mb="md" align="flex-end" gap="sm">
          <SearchInput
            value={values.q}
            onSearch={(q) => set({ q })}
            placeholder={t("persons.searchPlaceholder")}
          />
          <Select
            w={180}
            aria-label={t("persons.filter.email")}
            placeholder={t("persons.filter.emailAny")}
            clearable
            value={values.hasEmail || null}
            onChange={(v) => set({ hasEmail: v ?? "" })}
            data={[
              { value: "true", label: t("persons.filter.hasEmail") },
              { value: "false", label: t("persons.filter.noEmail") },
            ]}
          />
          <Select
            w={180}
            aria-label={t("persons.filter.mobile")}
            placeholder={t("persons.filter.mobileAny")}
            clearable
            value={values.hasMobile || null}
            onChange={(v) => set({ hasMobile: v ?? "" })}
            data={[
              { value: "true", label: t("persons.filter.hasMobile") },
              { value: "false", label: t("persons.filter.noMobile") },
            ]}
          />
        </Group>
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorAlert error={query.error} />
        ) : query.data.items.length === 0 ? (
          <EmptyNote
            title={filtered ? t("persons.noMatches") : t("persons.empty")}
            description={filtered ? t("common.tryOtherSearch") : t("persons.emptyHint")}
          />
        ) : (
          <>
            <PersonTable persons={query.data.items} />
            <Pager total={query.data.total} offset={offset} onOffset={(o) => set({ offset: o })} />
          </>
        )}
      </Paper>
    </>
  );
}

export function PersonTable({ persons }: { persons: PersonSummary[] }) {
  const { t } = useI18n();
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid="persons-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="28%">{t("persons.fields.name")}</Table.Th>
            <Table.Th w="28%">{t("persons.fields.email")}</Table.Th>
            <Table.Th w="16%">{t("persons.fields.mobile")}</Table.Th>
            <Table.Th>{t("persons.fields.company")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {persons.map((person) => (
            <Table.Tr key={person.id}>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Anchor component={Link} to={`/persons/${person.id}`} fw={500}>
                    {person.fullName || person.email || `#${person.id}`}
                  </Anchor>
                  {person.formerEmployee && (
                    <Badge size="xs" color="gray" variant="light">
                      {t("persons.formerEmployeeShort")}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" truncate>
                  {person.email}
                </Text>
              </Table.Td>
              <Table.Td>{person.mobile}</Table.Td>
              <Table.Td>
                {person.companyId ? (
                  <Anchor component={Link} to={`/companies/${person.companyId}`} size="sm">
                    {person.companyName}
                  </Anchor>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
