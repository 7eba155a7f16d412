// Mailings as a table linking to each: the mailings page, a selection's Mailings tab, a project's Activities tab.
import { Anchor, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import type { MailingSummary } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MailingStatusBadge } from "./MailingStatusBadge.tsx";

const NOWRAP = { whiteSpace: "nowrap" } as const;

export function MailingTable({ mailings, testId }: { mailings: MailingSummary[]; testId: string }) {
  const { t, formatDateTime } = useI18n();
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="26%">{t("mailings.name")}</Table.Th>
            <Table.Th w={120}>{t("mailings.status")}</Table.Th>
            <Table.Th>{t("mailings.fields.subject")}</Table.Th>
            <Table.Th w={180}>{t("common.created")}</Table.Th>
            <Table.Th w={190}>{t("mailings.startedAt")}</Table.Th>
            <Table.Th w={180}>{t("mailings.finishedAt")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {mailings.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>
                <Anchor component={Link} to={`/mailings/${m.id}`} fw={500}>
                  {m.name}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <MailingStatusBadge status={m.status} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" lineClamp={1}>
                  {m.subject}
                </Text>
              </Table.Td>
              <Table.Td style={NOWRAP}>{formatDateTime(m.createdAt)}</Table.Td>
              <Table.Td style={NOWRAP}>
                {m.status === "scheduled" && m.scheduledAt ? (
                  <Text size="sm" c="violet">
                    {t("mailings.scheduledFor", { when: formatDateTime(m.scheduledAt) })}
                  </Text>
                ) : (
                  formatDateTime(m.startedAt)
                )}
              </Table.Td>
              <Table.Td style={NOWRAP}>{formatDateTime(m.finishedAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
