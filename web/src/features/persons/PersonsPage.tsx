// Persons: searchable, filterable table, 50 rows a page.
import { Button, Select } from "@mantine/core";
import { Link } from "react-router";
import type { PersonSummary } from "../../api/types.ts";
import { ListPage } from "../../app/ListPage.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListQuery } from "../../app/use-list-query.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { ExportButtons } from "../imports/ExportButtons.tsx";
import { PersonTable } from "./PersonTable.tsx";

export function PersonsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const list = useListQuery<PersonSummary, "q" | "hasEmail" | "hasMobile">("persons", "/api/persons", [
    "q",
    "hasEmail",
    "hasMobile",
  ]);
  const { values, set } = list;

  return (
    <ListPage
      title={t("persons.title")}
      actions={
        <>
          <ExportButtons />
          {can("write") && (
            <>
              <Button component={Link} to="/persons/import" variant="default">
                {t("imports.import")}
              </Button>
              <Button component={Link} to="/persons/new">
                {t("persons.new")}
              </Button>
            </>
          )}
        </>
      }
      list={list}
      empty={{ title: t("persons.empty"), hint: t("persons.emptyHint") }}
      noMatches={{ title: t("persons.noMatches"), hint: t("common.tryOtherSearch") }}
      filters={
        <>
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
        </>
      }
      rows={(items) => <PersonTable persons={items} />}
    />
  );
}
