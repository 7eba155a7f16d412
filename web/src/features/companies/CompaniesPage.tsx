// Companies: searchable table, 50 rows a page.
import { Anchor, Button, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import type { Company } from "../../api/types.ts";
import { ListPage } from "../../app/ListPage.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListQuery } from "../../app/use-list-query.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export function CompaniesPage() {
  const { t, formatNumber } = useI18n();
  const { can } = useSession();
  const list = useListQuery<Company, "q">("companies", "/api/companies", ["q"]);
  const { values, set } = list;

  return (
    <ListPage
      title={t("companies.title")}
      actions={
        can("write") && (
          <Button component={Link} to="/companies/new">
            {t("companies.new")}
          </Button>
        )
      }
      list={list}
      empty={{ title: t("companies.empty"), hint: t("companies.emptyHint") }}
      noMatches={{ title: t("companies.noMatches"), hint: t("common.tryOtherSearch") }}
      filters={
        <SearchInput
          value={values.q}
          onSearch={(q) => set({ q })}
          placeholder={t("companies.searchPlaceholder")}
        />
      }
      rows={(items) => (
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
              {items.map((company) => (
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
      )}
    />
  );
}
