// A sent mailing's Recipients tab: combinable filters (all must hold), a link clicked and a search, 100 rows a
// page with the latest delivery of each, rows picked across pages, and the actions on them.
import { Checkbox, Chip, Group, Select, Stack, Table } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Mailing } from "../../api/mailing-types.ts";
import { CursorPager } from "../../app/CursorPager.tsx";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { isDocument } from "../documents/types.ts";
import { isSms } from "../sms/types.ts";
import { followUpKey, linksRefresh, rowParams, useLinks } from "./queries.ts";
import { RecipientActions } from "./RecipientActions.tsx";
import { RecipientRow } from "./RecipientRow.tsx";
import { FOLLOW_UP_FILTERS, type FollowUpFilter, type FollowUpPage, type RowQuery } from "./types.ts";

const LIMIT = 100;

export function RecipientsTab({ mailing }: { mailing: Mailing }) {
  const { t } = useI18n();
  const api = useApi();
  const links = useLinks(mailing.id);
  // An SMS and a document (printed letters) have no opens or clicks to filter or show.
  const sms = isSms(mailing);
  const tracked = !sms && !isDocument(mailing);
  const filters = tracked
    ? FOLLOW_UP_FILTERS
    : FOLLOW_UP_FILTERS.filter((f) => f !== "opened" && f !== "clicked");
  const [rows, setRows] = useState<RowQuery>({ filters: [], linkId: null, search: "" });
  // The cursors of the pages before this one (keyset paging): previous pops, next pushes the page's nextCursor.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const query = useQuery({
    queryKey: [...followUpKey(mailing.id), "recipients", rows, after ?? null],
    queryFn: () =>
      api.get<FollowUpPage>(`/api/mailings/${mailing.id}/follow-up`, {
        ...rowParams(rows),
        limit: LIMIT,
        after,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: linksRefresh(mailing),
  });

  function change(patch: Partial<RowQuery>) {
    setRows((current) => ({ ...current, ...patch }));
    setCursors([]);
    setPicked(new Set());
  }

  const items = query.data?.items ?? [];
  const allPicked = items.length > 0 && items.every((r) => picked.has(r.recipientId));
  const toggle = (id: number) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const togglePage = () =>
    setPicked((current) => {
      const next = new Set(current);
      for (const r of items) {
        if (allPicked) next.delete(r.recipientId);
        else next.add(r.recipientId);
      }
      return next;
    });

  return (
    <Stack gap="md" data-testid="recipients-tab">
      <Chip.Group multiple value={rows.filters} onChange={(v) => change({ filters: v as FollowUpFilter[] })}>
        <Group gap={6} data-testid="follow-up-filters">
          {filters.map((f) => (
            <Chip key={f} value={f} size="sm" variant="outline">
              {t(`followUp.filters.${f}`)}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      <Group gap="sm" align="flex-end">
        {tracked && (
          <Select
            w={360}
            aria-label={t("followUp.recipients.clickedLink")}
            placeholder={t("followUp.recipients.clickedLink")}
            clearable
            value={rows.linkId === null ? null : String(rows.linkId)}
            onChange={(v) => change({ linkId: v === null ? null : Number(v) })}
            data={(links.data ?? []).map((l) => ({
              value: String(l.id),
              label: l.registered?.name ?? l.url,
            }))}
          />
        )}
        <SearchInput
          value={rows.search}
          onSearch={(search) => change({ search })}
          placeholder={t("followUp.recipients.search")}
        />
      </Group>
      <RecipientActions
        mailingId={mailing.id}
        rows={rows}
        total={query.data?.total ?? 0}
        picked={[...picked]}
        onPickedDone={() => setPicked(new Set())}
      />
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorAlert error={query.error} />
      ) : items.length === 0 ? (
        <EmptyNote title={t("followUp.recipients.none")} description={t("common.tryOtherSearch")} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={1000}>
            <Table verticalSpacing={6} striped data-testid="follow-up-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36}>
                    <Checkbox aria-label={t("common.pickAll")} checked={allPicked} onChange={togglePage} />
                  </Table.Th>
                  <Table.Th>{t("followUp.recipients.recipient")}</Table.Th>
                  <Table.Th>{t("followUp.recipients.status")}</Table.Th>
                  <Table.Th w={150}>{t("followUp.recipients.sentAt")}</Table.Th>
                  {tracked && <Table.Th w={150}>{t("followUp.recipients.openedAt")}</Table.Th>}
                  {tracked && <Table.Th w={150}>{t("followUp.recipients.clickedAt")}</Table.Th>}
                  <Table.Th>{t("followUp.recipients.reply")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((row) => (
                  <RecipientRow
                    key={row.recipientId}
                    row={row}
                    sms={sms}
                    tracked={tracked}
                    picked={picked.has(row.recipientId)}
                    onToggle={() => toggle(row.recipientId)}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <CursorPager
            total={query.data.total}
            page={cursors.length}
            limit={LIMIT}
            shown={items.length}
            hasNext={query.data.nextCursor !== null}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={() => {
              const next = query.data.nextCursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          />
        </>
      )}
    </Stack>
  );
}
