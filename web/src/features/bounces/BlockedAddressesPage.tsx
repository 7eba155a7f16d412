// Blocked addresses: every address utsend will not mail, why (the reply that blocked it), who has it, and the
// actions to clear, correct, export or tidy the persons up. 100 rows a page, filters in the URL.
import { Anchor, Button, Checkbox, Group, Paper, Select, Stack, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { withQuery } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { Page } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { Pager } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { BounceActions } from "./BounceActions.tsx";
import { ReasonBadge, Reply } from "./BounceBadges.tsx";
import { CorrectAddressModal } from "./CorrectAddressModal.tsx";
import type { BlockedAddress } from "./types.ts";

const LIMIT = 100;
const REASONS = ["hard", "soft", "complaint", "unsubscribed"] as const;

export function BlockedAddressesPage() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const { values, offset, set } = useListParams(["q", "reason"] as const);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [correcting, setCorrecting] = useState<string | null>(null);

  const filter = { q: values.q.trim(), reason: values.reason };
  const query = useQuery({
    queryKey: ["bounces", "blocked", values, offset],
    queryFn: () =>
      api.get<Page<BlockedAddress>>("/api/blocked-addresses", { ...filter, limit: LIMIT, offset }),
    placeholderData: keepPreviousData,
  });
  const rows = query.data?.items ?? [];
  const allPicked = rows.length > 0 && rows.every((r) => picked.has(r.address));
  const toggle = (address: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(address)) next.delete(address);
      else next.add(address);
      return next;
    });
  const exportHref = (format: "csv" | "xlsx") =>
    withQuery("/api/blocked-addresses/export", { ...filter, format });

  return (
    <>
      <PageHeader
        title={t("bounces.title")}
        subtitle={t("bounces.subtitle")}
        actions={
          can("export") && (
            <>
              <Button component="a" href={exportHref("csv")} download variant="default">
                {t("imports.exportCsv")}
              </Button>
              <Button component="a" href={exportHref("xlsx")} download variant="default">
                {t("imports.exportXlsx")}
              </Button>
            </>
          )
        }
      />
      <Paper withBorder p="md" radius="md">
        <Stack gap="md">
          <Group align="flex-end" gap="sm">
            <SearchInput
              value={values.q}
              onSearch={(q) => set({ q })}
              placeholder={t("bounces.searchPlaceholder")}
            />
            <Select
              w={200}
              aria-label={t("bounces.reason")}
              placeholder={t("bounces.anyReason")}
              clearable
              value={values.reason || null}
              onChange={(v) => set({ reason: v ?? "" })}
              data={REASONS.map((r) => ({ value: r, label: t(`bounces.reasons.${r}`) }))}
            />
          </Group>
          <BounceActions addresses={[...picked]} onDone={() => setPicked(new Set())} />
          {query.isPending ? (
            <Loading />
          ) : query.isError ? (
            <ErrorAlert error={query.error} />
          ) : rows.length === 0 ? (
            <EmptyNote
              title={values.q || values.reason ? t("bounces.noMatches") : t("bounces.empty")}
              description={values.q || values.reason ? t("common.tryOtherSearch") : t("bounces.emptyHint")}
            />
          ) : (
            <>
              <Table.ScrollContainer minWidth={900}>
                <Table verticalSpacing={6} striped data-testid="blocked-addresses">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={36}>
                        <Checkbox
                          aria-label={t("common.pickAll")}
                          checked={allPicked}
                          onChange={() =>
                            setPicked(allPicked ? new Set() : new Set(rows.map((r) => r.address)))
                          }
                        />
                      </Table.Th>
                      <Table.Th>{t("bounces.address")}</Table.Th>
                      <Table.Th w={160}>{t("bounces.reason")}</Table.Th>
                      <Table.Th>{t("bounces.reply")}</Table.Th>
                      <Table.Th w={70}>{t("bounces.count")}</Table.Th>
                      <Table.Th>{t("bounces.persons")}</Table.Th>
                      <Table.Th w={160}>{t("common.updated")}</Table.Th>
                      <Table.Th w={110} />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((b) => (
                      <Table.Tr key={b.address} data-testid={`blocked-${b.address}`}>
                        <Table.Td>
                          <Checkbox
                            aria-label={t("common.pickRow", { name: b.address })}
                            checked={picked.has(b.address)}
                            onChange={() => toggle(b.address)}
                          />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            {b.address}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <ReasonBadge reason={b.reason} />
                        </Table.Td>
                        <Table.Td>
                          <Reply statusCode={b.statusCode} diagnostic={b.diagnostic} />
                        </Table.Td>
                        <Table.Td>{formatNumber(b.count)}</Table.Td>
                        <Table.Td>
                          <Stack gap={2}>
                            {b.persons.map((p) => (
                              <Anchor key={p.id} component={Link} to={`/persons/${p.id}`} size="sm">
                                {p.fullName || `#${p.id}`}
                              </Anchor>
                            ))}
                          </Stack>
                        </Table.Td>
                        <Table.Td>{formatDateTime(b.updatedAt)}</Table.Td>
                        <Table.Td>
                          {can("send") && (
                            <Button
                              size="compact-sm"
                              variant="light"
                              onClick={() => setCorrecting(b.address)}
                            >
                              {t("bounces.actions.correct")}
                            </Button>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Pager
                total={query.data.total}
                offset={offset}
                limit={LIMIT}
                onOffset={(o) => set({ offset: o })}
              />
            </>
          )}
        </Stack>
      </Paper>
      <CorrectAddressModal address={correcting} onClose={() => setCorrecting(null)} />
    </>
  );
}
