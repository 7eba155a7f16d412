// The Replies tab of a sent SMS mailing: what came back to its sender, opt-outs (STOPP) marked apart from replies.
import { Anchor, Badge, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Page } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { Pager } from "../../app/Pager.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { followUpKey } from "../follow-up/queries.ts";
import type { SmsReply } from "./types.ts";

const PAGE_SIZE = 50;

export function SmsReplies({ mailingId }: { mailingId: number }) {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const query = useQuery({
    queryKey: [...followUpKey(mailingId), "sms-replies", offset],
    queryFn: () =>
      api.get<Page<SmsReply>>(`/api/mailings/${mailingId}/sms-replies`, { limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const { items, total, limit } = query.data;
  if (items.length === 0) {
    return (
      <Text c="dimmed" data-testid="sms-replies-none">
        {t("sms.replies.none")}
      </Text>
    );
  }
  return (
    <>
      <Table.ScrollContainer minWidth={560}>
        <Table data-testid="sms-replies">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("sms.replies.receivedAt")}</Table.Th>
              <Table.Th>{t("sms.replies.from")}</Table.Th>
              <Table.Th>{t("sms.replies.text")}</Table.Th>
              <Table.Th>{t("sms.replies.kind")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{formatDateTime(r.receivedAt)}</Table.Td>
                <Table.Td>
                  {r.personId !== null ? (
                    <Anchor component={Link} to={`/persons/${r.personId}`}>
                      {r.personName ?? r.from}
                    </Anchor>
                  ) : null}
                  <Text size="xs" c="dimmed">
                    {r.from}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: "pre-wrap" }}>{r.text}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={r.kind === "opt-out" ? "orange" : "gray"}>
                    {t(`sms.replies.kinds.${r.kind}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager total={total} offset={offset} limit={limit} onOffset={setOffset} />
    </>
  );
}
