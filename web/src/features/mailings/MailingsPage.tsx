// Mailings: table with search and status filter; "New mailing" starts a draft (blank, copied or from a template).
import { Button, Select } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Link } from "react-router";
import type { MailingSummary } from "../../api/mailing-types.ts";
import { ListPage } from "../../app/ListPage.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListQuery } from "../../app/use-list-query.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MAILING_STATUSES } from "./MailingStatusBadge.tsx";
import { MailingTable } from "./MailingTable.tsx";
import { NewMailingModal } from "./NewMailingModal.tsx";

export function MailingsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const list = useListQuery<MailingSummary, "q" | "status">("mailings", "/api/mailings", ["q", "status"]);
  const { values, set } = list;

  return (
    <ListPage
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
      list={list}
      empty={{
        title: t("mailings.empty"),
        hint: t("mailings.emptyHint"),
        action: can("write") ? <Button onClick={open}>{t("mailings.new")}</Button> : undefined,
      }}
      noMatches={{ title: t("mailings.noMatches"), hint: t("common.tryOtherSearch") }}
      filters={
        <>
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
        </>
      }
      rows={(items) => <MailingTable mailings={items} testId="mailings-table" />}
    >
      <NewMailingModal opened={creating} onClose={close} />
    </ListPage>
  );
}
