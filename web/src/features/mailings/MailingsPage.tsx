// Mailings: table with search and status filter; "New mailing" starts a draft (blank, copied or from a template).
import { Button, Group, Paper, Select } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { MailingSummary } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MAILING_STATUSES } from "./MailingStatusBadge.tsx";
import { MailingTable } from "./MailingTable.tsx";
import { NewMailingModal } from "./NewMailingModal.tsx";

export function MailingsPage() {
  const { t } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const { values, offset, set } = useListParams(["q", "status"] as const);

  const query = useQuery({
    queryKey: ["mailings", "list", values, offset],
    queryFn: () =>
      api.get<Page<MailingSummary>>("/api/mailings", {
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
        title={t("mailings.title")}
        actions={
          <>
            <Button variant="default" component={Link} to="/outbox">
              {t("nav.outbox")}
            </Button>
            <Button variant="default" component={Link} to="/registered-links">
              {t("followUp.registered.open")}
            </Button>
            {can("write") && <Button onClick={open}>{t("mailings.new")}</Button>}
          </>
        }
      />
      <Paper withBorder p="md" radius="md">
        <Group mb="md" gap="sm">
          <SearchInput
            value={values.q}
            onSearch={(q) => set({ q })}
            placeholder={t("mailings.searchPlaceholder")}
          />
          <Select
            w={180}
            aria-label={t("mailings.status")}
            placeholder={t("mailings.allStatuses")}
            clearable
            value={values.status || null}
            onChange={(status) => set({ status: status ?? "" })}
            data={MAILING_STATUSES.map((s) => ({ value: s, label: t(`mailings.statuses.${s}`) }))}
          />
        </Group>
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorAlert error={query.error} />
        ) : query.data.items.length === 0 ? (
          <EmptyNote
            title={filtered ? t("mailings.noMatches") : t("mailings.empty")}
            description={filtered ? t("common.tryOtherSearch") : t("mailings.emptyHint")}
            action={
              !filtered && can("write") ? <Button onClick={open}>{t("mailings.new")}</Button> : undefined
            }
          />
        ) : (
          <>
            <MailingTable mailings={query.data.items} testId="mailings-table" />
            <Pager total={query.data.total} offset={offset} onOffset={(o) => set({ offset: o })} />
          </>
        )}
      </Paper>
      <NewMailingModal opened={creating} onClose={close} />
    </>
  );
}
