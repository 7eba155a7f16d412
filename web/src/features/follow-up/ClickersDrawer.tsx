// Who clicked one link, page by page (machine clicks listed with their flag), and adding the real clickers to a
// selection or project.

import { Anchor, Badge, Button, Drawer, Group, Stack, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Page } from "../../api/types.ts";
import { useFocusReturnOnUnmount, useTopmostClose } from "../../app/dialog-focus.ts";
import { EmptyNote } from "../../app/feedback.tsx";
import { PagedRows } from "../../app/PagedRows.tsx";
import { PAGE_SIZE } from "../../app/Pager.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { AddToModal } from "./AddToModal.tsx";
import { followUpKey } from "./queries.ts";
import type { Clicker, TrackedLink } from "./types.ts";

export function ClickersDrawer({
  mailingId,
  link,
  onClose,
}: {
  mailingId: number;
  link: TrackedLink;
  onClose: () => void;
}) {
  const { t, formatNumber, formatDateTime } = useI18n();
  const api = useApi();
  const { can } = useSession();
  useFocusReturnOnUnmount();
  const topmost = useTopmostClose(onClose);
  const [offset, setOffset] = useState(0);
  const [adding, add] = useDisclosure(false);
  const query = useQuery({
    queryKey: [...followUpKey(mailingId), "clickers", link.id, offset],
    queryFn: () =>
      api.get<Page<Clicker>>(`/api/mailings/${mailingId}/links/${link.id}/clickers`, {
        limit: PAGE_SIZE,
        offset,
      }),
    placeholderData: keepPreviousData,
  });

  return (
    <Drawer opened {...topmost} position="right" size="xl" title={t("followUp.clickers.title")}>
      <Stack gap="sm" data-testid="clickers-drawer">
        <Text size="sm" style={{ wordBreak: "break-all" }}>
          {link.url}
        </Text>
        {can("write") && (
          <Group>
            <Button size="sm" variant="light" onClick={add.open} disabled={link.uniqueClickers === 0}>
              {t("followUp.clickers.addAll")}
            </Button>
          </Group>
        )}
        <PagedRows
          query={query}
          offset={offset}
          onOffset={setOffset}
          empty={<EmptyNote title={t("followUp.clickers.none")} />}
        >
          {(items) => (
            <>
              <Table verticalSpacing={6} striped data-testid="clickers-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("followUp.recipients.recipient")}</Table.Th>
                    <Table.Th ta="right">{t("followUp.links.clicks")}</Table.Th>
                    <Table.Th>{t("followUp.clickers.first")}</Table.Th>
                    <Table.Th>{t("followUp.clickers.last")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <Table.Tr key={c.deliveryId}>
                      <Table.Td>
                        {c.personId ? (
                          <Anchor component={Link} to={`/persons/${c.personId}`} size="sm">
                            {c.name ?? c.email}
                          </Anchor>
                        ) : (
                          <Text size="sm">{c.name ?? c.email}</Text>
                        )}
                        {c.name && (
                          <Text size="xs" c="dimmed">
                            {c.email}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          {c.flagged && (
                            <Badge size="xs" color="gray" variant="light">
                              {t("followUp.machine")}
                            </Badge>
                          )}
                          {formatNumber(c.clicks)}
                        </Group>
                      </Table.Td>
                      <Table.Td>{formatDateTime(c.firstAt)}</Table.Td>
                      <Table.Td>{formatDateTime(c.lastAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </PagedRows>
      </Stack>
      <AddToModal
        mailingId={mailingId}
        rows={{ filters: [], linkId: link.id, search: "" }}
        count={link.uniqueClickers}
        opened={adding}
        onClose={add.close}
      />
    </Drawer>
  );
}
