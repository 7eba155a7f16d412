// The mailing's recipient list: 50 rows a page, or every row after "Load all"; each row with its status and
// the reason it is blocked.

import { Anchor, Button, Group, Menu, SegmentedControl, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { withQuery } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { BlockReason, Recipient } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { EmptyNote } from "../../app/feedback.tsx";
import { PagedRows } from "../../app/PagedRows.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";
import { RecipientStatusBadge, useReasonText } from "./ReasonBadge.tsx";

/** `left-out`: the people the sources held who are not on the list (no usable address), with their reason. */
export type RecipientFilter = { status: "" | "eligible" | "blocked" | "left-out"; reason: BlockReason | "" };
const ALL_PAGE = 500;

export function RecipientList({
  mailingId,
  filter,
  onFilter,
  sms = false,
  document = false,
  leftOut = 0,
}: {
  mailingId: number;
  /** How many are left out: when any, the filter offers to show them. */
  leftOut?: number;
  /** An SMS mailing's rows show the mobile number instead of the e-mail address. */
  sms?: boolean;
  /** A document mailing's rows show the postal address the letter goes to instead of the e-mail address. */
  document?: boolean;
  filter: RecipientFilter;
  onFilter: (filter: RecipientFilter) => void;
}) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const reasonText = useReasonText();
  const [offset, setOffset] = useState(0);
  const [all, setAll] = useState(false);
  const path = `/api/mailings/${mailingId}/recipients`;
  const base = { status: filter.status, reason: filter.reason };

  const query = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "recipients", filter, all ? "all" : offset],
    queryFn: async (): Promise<Page<Recipient>> => {
      if (!all) return api.get<Page<Recipient>>(path, { ...base, limit: PAGE_SIZE, offset });
      const first = await api.get<Page<Recipient>>(path, { ...base, limit: ALL_PAGE, offset: 0 });
      const items = [...first.items];
      while (items.length < first.total) {
        const next = await api.get<Page<Recipient>>(path, { ...base, limit: ALL_PAGE, offset: items.length });
        if (next.items.length === 0) break;
        items.push(...next.items);
      }
      return { items, total: first.total, limit: items.length, offset: 0 };
    },
    placeholderData: keepPreviousData,
  });

  function setStatus(status: RecipientFilter["status"]) {
    setOffset(0);
    onFilter({ status, reason: "" });
  }

  return (
    <>
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Group gap="sm">
          <SegmentedControl
            size="xs"
            aria-label={t("recipients.show")}
            data-testid="recipient-filter"
            value={filter.status}
            onChange={(v) => setStatus(v as RecipientFilter["status"])}
            data={[
              { value: "", label: t("recipients.showAll") },
              { value: "eligible", label: t("recipients.showEligible") },
              { value: "blocked", label: t("recipients.showBlocked") },
              ...(leftOut > 0 || filter.status === "left-out"
                ? [{ value: "left-out", label: t("recipients.showLeftOut") }]
                : []),
            ]}
          />
          {filter.reason && (
            <Button size="compact-xs" variant="light" onClick={() => setStatus("blocked")}>
              {reasonText(filter.reason)} ×
            </Button>
          )}
        </Group>
        <Group gap="sm">
          {query.data && !all && query.data.total > PAGE_SIZE && (
            <Button
              size="xs"
              variant="default"
              onClick={() => setAll(true)}
              loading={query.isFetching && all}
            >
              {t("recipients.loadAll", { total: formatNumber(query.data.total) })}
            </Button>
          )}
          <ExportMenu mailingId={mailingId} filter={filter} />
        </Group>
      </Group>
      <PagedRows query={query} empty={<EmptyNote title={t("recipients.emptyList")} />}>
        {(items, total) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table striped verticalSpacing={6} data-testid="recipients-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("recipients.name")}</Table.Th>
                    <Table.Th>
                      {sms
                        ? t("sms.recipients.mobile")
                        : document
                          ? t("documents.recipients.postalAddress")
                          : t("recipients.email")}
                    </Table.Th>
                    <Table.Th w={120}>{t("recipients.status")}</Table.Th>
                    <Table.Th w={240}>{t("recipients.reason")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((r) => (
                    <Table.Tr key={r.id} data-status={r.status}>
                      <Table.Td>
                        {r.personId ? (
                          <Anchor component={Link} to={`/persons/${r.personId}`} size="sm">
                            {r.name || (sms ? mobileOf(r) : document ? r.postalAddress : r.email)}
                          </Anchor>
                        ) : (
                          r.name
                        )}
                      </Table.Td>
                      <Table.Td>
                        {sms ? (
                          mobileOf(r)
                        ) : document ? (
                          <Text size="sm" style={{ whiteSpace: "pre-line" }} data-testid="postal-address">
                            {r.postalAddress}
                          </Text>
                        ) : (
                          r.email
                        )}
                      </Table.Td>
                      <Table.Td>
                        <RecipientStatusBadge recipient={r} />
                      </Table.Td>
                      <Table.Td>
                        {r.blockReason && (
                          <Text size="sm" c="red.8">
                            {reasonText(r.blockReason)}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {all ? (
              <Group justify="space-between" mt="sm">
                <Text size="sm" c="dimmed" data-testid="pager-summary">
                  {t("recipients.allShown", { total: formatNumber(total) })}
                </Text>
                <Button size="xs" variant="subtle" onClick={() => setAll(false)}>
                  {t("recipients.pageAgain")}
                </Button>
              </Group>
            ) : (
              <Pager total={total} offset={offset} onOffset={setOffset} />
            )}
          </>
        )}
      </PagedRows>
    </>
  );
}

/** The list as the filter shows it, with each recipient's delivery status, as a streamed CSV or Excel download. */
function ExportMenu({ mailingId, filter }: { mailingId: number; filter: RecipientFilter }) {
  const { t } = useI18n();
  const { can } = useSession();
  // The export is the list; the left out are not on it.
  if (!can("export") || filter.status === "left-out") return null;
  const href = (format: "csv" | "xlsx") =>
    withQuery(`/api/mailings/${mailingId}/recipients/export`, {
      format,
      status: filter.status as "" | "eligible" | "blocked",
      reason: filter.reason,
    });
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button size="xs" variant="default" data-testid="recipients-export">
          {t("recipients.export")}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component="a" href={href("csv")} download>
          {t("imports.exportCsv")}
        </Menu.Item>
        <Menu.Item component="a" href={href("xlsx")} download>
          {t("imports.exportXlsx")}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

const mobileOf = (r: Recipient) => (r as { mobile?: string | null }).mobile ?? null;
