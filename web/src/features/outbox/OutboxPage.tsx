// The local outbox: every message the outbox sending account caught (test sends marked), newest first.

import { Anchor, Badge, Button, Group, Paper, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { OutboxSummary } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { EmptyNote } from "../../app/feedback.tsx";
import { PagedRows } from "../../app/PagedRows.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { PAGE_SIZE } from "../../app/Pager.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MailingLink } from "./MailingLink.tsx";

export function OutboxPage() {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const { values, offset, set } = useListParams(["mailingId"] as const);

  const query = useQuery({
    queryKey: ["outbox", "list", values, offset],
    queryFn: () =>
      api.get<Page<OutboxSummary>>("/api/outbox", { mailingId: values.mailingId, limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });

  return (
    <>
      <PageHeader title={t("outbox.title")} subtitle={t("outbox.intro")} />
      <Paper withBorder p="md" radius="md">
        {values.mailingId && (
          <Group mb="md" gap="sm">
            <Text size="sm">
              {t("outbox.forMailing")} <MailingLink id={Number(values.mailingId)} />
            </Text>
            <Button size="compact-xs" variant="light" onClick={() => set({ mailingId: "" })}>
              {t("outbox.showAll")}
            </Button>
          </Group>
        )}
        <PagedRows
          query={query}
          offset={offset}
          onOffset={(o) => set({ offset: o })}
          empty={<EmptyNote title={t("outbox.empty")} description={t("outbox.emptyHint")} />}
        >
          {(items) => (
            <>
              <Table.ScrollContainer minWidth={720}>
                <Table striped highlightOnHover verticalSpacing="xs" data-testid="outbox-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w="28%">{t("outbox.to")}</Table.Th>
                      <Table.Th>{t("outbox.subject")}</Table.Th>
                      <Table.Th w={180}>{t("outbox.time")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((m) => (
                      <Table.Tr key={m.id} data-test-send={m.isTest ? "yes" : "no"}>
                        <Table.Td>{m.to}</Table.Td>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            {m.isTest && (
                              <Badge size="sm" color="grape" variant="light">
                                {t("outbox.test")}
                              </Badge>
                            )}
                            {m.channel === "sms" && (
                              <Badge size="sm" color="teal" variant="light">
                                {t("sms.outbox.badge")}
                              </Badge>
                            )}
                            <Anchor component={Link} to={`/outbox/${m.id}`} size="sm" lineClamp={1}>
                              {m.channel === "sms" ? m.text || "–" : m.subject || t("outbox.noSubject")}
                            </Anchor>
                          </Group>
                        </Table.Td>
                        <Table.Td>{formatDateTime(m.createdAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </>
          )}
        </PagedRows>
      </Paper>
    </>
  );
}
