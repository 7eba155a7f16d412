// Persons: searchable, filterable table, 50 rows a page.
import { Button, Group, Paper, Select } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Page, PersonSummary } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { ExportButtons } from "../imports/ExportButtons.tsx";
import { PersonTable } from "./PersonTable.tsx";

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
