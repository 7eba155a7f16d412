// A sent mailing's Links tab: each tracked link with its clicks, unique clickers, machine clicks and test clicks
// (which can be cleared), what a click does to the person, and who clicked.
import { Anchor, Badge, Button, Group, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { BURST_LINKS, BURST_WINDOW_MS, SCANNER_CLICK_WINDOW_MS } from "../../../../src/track/agents.ts";
import { useApi } from "../../api/context.tsx";
import type { Mailing } from "../../api/mailing-types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { ClickersDrawer } from "./ClickersDrawer.tsx";
import { ActionText, LinkActionModal } from "./LinkActionModal.tsx";
import { followUpKey, linksRefresh, useLinks } from "./queries.ts";
import type { TrackedLink } from "./types.ts";

export function LinksTab({ mailing }: { mailing: Mailing }) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const query = useLinks(mailing.id, linksRefresh(mailing));
  const [clickersOf, setClickersOf] = useState<TrackedLink | null>(null);
  const [editing, setEditing] = useState<TrackedLink | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: followUpKey(mailing.id) });

  async function resetTestClicks(link: TrackedLink) {
    try {
      await api.post(`/api/mailings/${mailing.id}/links/${link.id}/reset-test-clicks`);
      await refresh();
      notifySuccess(t("followUp.links.testClicksReset"));
    } catch (error) {
      notifyFailure(error);
    }
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const links = query.data;
  if (links.length === 0)
    return <EmptyNote title={t("followUp.links.none")} description={t("followUp.links.noneHint")} />;

  return (
    <Stack gap="sm" data-testid="links-tab">
      <Table.ScrollContainer minWidth={900}>
        <Table verticalSpacing={6} striped data-testid="links-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("followUp.links.url")}</Table.Th>
              <Table.Th ta="right">{t("followUp.links.clicks")}</Table.Th>
              <Table.Th ta="right">{t("followUp.links.uniqueClickers")}</Table.Th>
              <Table.Th ta="right">{t("followUp.links.flaggedClicks")}</Table.Th>
              <Table.Th ta="right">{t("followUp.links.testClicks")}</Table.Th>
              <Table.Th>{t("followUp.links.action")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {links.map((link) => (
              <Table.Tr key={link.id} data-link-id={link.id}>
                <Table.Td maw={380}>
                  <Anchor
                    href={link.url}
                    target="_blank"
                    rel="noreferrer"
                    size="sm"
                    style={{ wordBreak: "break-all" }}
                  >
                    {link.url}
                  </Anchor>
                  <Group gap={4} mt={2}>
                    {link.registered && (
                      <Badge size="xs" variant="light" color="indigo">
                        {link.registered.name}
                      </Badge>
                    )}
                    {link.hasMergeFields && (
                      <Tooltip label={t("followUp.links.mergeFieldsHelp")}>
                        <Badge size="xs" variant="light" color="gray">
                          {t("followUp.links.mergeFields")}
                        </Badge>
                      </Tooltip>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td ta="right" data-col="clicks">
                  {formatNumber(link.clicks)}
                </Table.Td>
                <Table.Td ta="right" data-col="unique">
                  {formatNumber(link.uniqueClickers)}
                </Table.Td>
                <Table.Td ta="right" data-col="flagged">
                  {formatNumber(link.flaggedClicks)}
                </Table.Td>
                <Table.Td ta="right" data-col="test">
                  <Group gap={6} justify="flex-end" wrap="nowrap">
                    {formatNumber(link.testClicks)}
                    {can("write") && link.testClicks > 0 && (
                      <Button size="compact-xs" variant="subtle" onClick={() => resetTestClicks(link)}>
                        {t("followUp.links.resetTestClicks")}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <ActionText action={link.action} />
                </Table.Td>
                <Table.Td>
                  <Group gap={6} justify="flex-end" wrap="nowrap">
                    <Button size="compact-sm" variant="light" onClick={() => setClickersOf(link)}>
                      {t("followUp.links.clickers")}
                    </Button>
                    {can("write") && (
                      <Button size="compact-sm" variant="default" onClick={() => setEditing(link)}>
                        {t("followUp.links.editAction")}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed" data-testid="links-help">
        {t("followUp.links.help", {
          soonSeconds: SCANNER_CLICK_WINDOW_MS / 1000,
          burstLinks: BURST_LINKS,
          burstSeconds: BURST_WINDOW_MS / 1000,
        })}
      </Text>
      {clickersOf && (
        <ClickersDrawer mailingId={mailing.id} link={clickersOf} onClose={() => setClickersOf(null)} />
      )}
      {editing && (
        <LinkActionModal
          mailingId={mailing.id}
          link={editing}
          onClose={() => setEditing(null)}
          onSaved={refresh}
        />
      )}
    </Stack>
  );
}
