// Companies: searchable table, 50 rows a page.
import { Anchor, Button, Paper, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Company, Page } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export function CompaniesPage() {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const { values, offset, set } = useListParams(["q"] as const);

  const query = useQuery({
    queryKey: ["companies", "list", values.q, offset],
    queryFn: () => api.get<Page<Company>>("/api/companies", { q: values.q.trim(), limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title={t("companies.title")}
        actions={
          can("write") && (
            <Button component={Link} to="/companies/new">
              {t("companies.new")}
            </Button>
          )
        }
      />
      <Paper withBorder p="md" radius="md">
        <SearchInput
          value={values.q}
          onSearch={(q) => set({ q })}
          placeholder={t("companies.searchPlaceholder")}
        />
        <div style={{ marginTop: "var(--mantine-spacing-md)" }}>
          {query.isPending ? (
            <Loading />
          ) : query.isError ? (
            <ErrorAlert error={query.error} />
          ) : query.data.items.length === 0 ? (
            <EmptyNote
              title={values.q ? t("companies.noMatches") : t("companies.empty")}
              description={values.q ? t("common.tryOtherSearch") : t("companies.emptyHint")}
            />
          ) : (
            <>
              <Table.ScrollContainer minWidth={720}>
                <Table striped highlightOnHover verticalSpacing="xs" data-testid="companies-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w="34%">{t("companies.fields.name")}</Table.Th>
                      <Table.Th w="16%">{t("companies.fields.orgNumber")}</Table.Th>
                      <Table.Th w="18%">{t("companies.fields.city")}</Table.Th>
                      <Table.Th>{t("companies.fields.domain")}</Table.Th>
                      <Table.Th w={100} ta="right">
                        {t("companies.fields.personCount")}
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {query.data.items.map((company) => (
                      <Table.Tr key={company.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/companies/${company.id}`} fw={500}>
                            {company.name}
                          </Anchor>
                          {company.department && (
                            <Text span size="xs" c="dimmed" ml={6}>
                              {company.department}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{company.orgNumber}</Table.Td>
                        <Table.Td>{company.city}</Table.Td>
                        <Table.Td>{company.domain}</Table.Td>
                        <Table.Td ta="right">{formatNumber(company.personCount ?? 0)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Pager total={query.data.total} offset={offset} onOffset={(o) => set({ offset: o })} />
            </>
          )}
        </div>
      </Paper>
    </>
  );
}
