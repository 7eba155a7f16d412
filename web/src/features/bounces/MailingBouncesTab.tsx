// A sent mailing's Bounces tab: the deliveries that came back (refused, bounced, complained about) with the reply,
// the person, whether the address is blocked now and whether it was sent again; the same actions as the blocked list.
import { Anchor, Badge, Button, Checkbox, Group, Select, Stack, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Page } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { Pager } from "../../app/Pager.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { BounceActions } from "./BounceActions.tsx";
import { ReasonBadge, Reply } from "./BounceBadges.tsx";
import { CorrectAddressModal } from "./CorrectAddressModal.tsx";
import type { MailingBounce } from "./types.ts";

const LIMIT = 100;

export function MailingBouncesTab({ mailingId }: { mailingId: number }) {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const [kind, setKind] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [correcting, setCorrecting] = useState<string | null>(null);
  const query = useQuery({
    queryKey: ["bounces", "mailing", mailingId, kind, offset],
    queryFn: () =>
      api.get<Page<MailingBounce>>(`/api/mailings/${mailingId}/bounces`, { kind, limit: LIMIT, offset }),
    placeholderData: keepPreviousData,
  });
  const rows = query.data?.items ?? [];
  const addresses = [...new Set(rows.map((r) => r.address.toLowerCase()))];
  const allPicked = addresses.length > 0 && addresses.every((a) => picked.has(a));
  const toggle = (address: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(address)) next.delete(address);
      else next.add(address);
      return next;
    });

  return (
    <Stack gap="md" data-testid="mailing-bounces">
      <Group align="flex-end" gap="sm">
        <Select
          w={200}
          aria-label={t("bounces.kind")}
          placeholder={t("bounces.anyKind")}
          clearable
          value={kind}
          onChange={(v) => {
            setKind(v);
            setOffset(0);
          }}
          data={(["hard", "soft", "complaint"] as const).map((k) => ({
            value: k,
            label: t(`bounces.reasons.${k}`),
          }))}
        />
      </Group>
      <BounceActions addresses={[...picked]} onDone={() => setPicked(new Set())} />
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorAlert error={query.error} />
      ) : rows.length === 0 ? (
        <EmptyNote title={t("bounces.noBounces")} description={t("bounces.noBouncesHint")} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing={6} striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36}>
                    <Checkbox
                      aria-label={t("common.pickAll")}
                      checked={allPicked}
                      onChange={() => setPicked(allPicked ? new Set() : new Set(addresses))}
                    />
                  </Table.Th>
                  <Table.Th>{t("bounces.address")}</Table.Th>
                  <Table.Th w={160}>{t("bounces.kind")}</Table.Th>
                  <Table.Th>{t("bounces.reply")}</Table.Th>
                  <Table.Th>{t("bounces.person")}</Table.Th>
                  <Table.Th>{t("bounces.now")}</Table.Th>
                  <Table.Th w={160}>{t("bounces.when")}</Table.Th>
                  <Table.Th w={110} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((b) => {
                  const address = b.address.toLowerCase();
                  return (
                    <Table.Tr key={b.deliveryId}>
                      <Table.Td>
                        <Checkbox
                          aria-label={t("common.pickRow", { name: b.address })}
                          checked={picked.has(address)}
                          onChange={() => toggle(address)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {b.address}
                        </Text>
                        {b.attempt > 1 && (
                          <Text size="xs" c="dimmed">
                            {t("bounces.attempt", { attempt: b.attempt })}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <ReasonBadge reason={b.kind} />
                      </Table.Td>
                      <Table.Td>
                        <Reply statusCode={b.statusCode} diagnostic={b.diagnostic} />
                      </Table.Td>
                      <Table.Td>
                        {b.person && (
                          <Anchor component={Link} to={`/persons/${b.person.id}`} size="sm">
                            {b.person.fullName || `#${b.person.id}`}
                          </Anchor>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {b.blocked && (
                            <Badge color="red" variant="outline" size="sm">
                              {t("bounces.blocked")}
                            </Badge>
                          )}
                          {b.resent && (
                            <Badge color="green" variant="outline" size="sm">
                              {t("bounces.resent")}
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>{formatDateTime(b.at)}</Table.Td>
                      <Table.Td>
                        {can("send") && b.kind !== "complaint" && !b.resent && (
                          <Button size="compact-sm" variant="light" onClick={() => setCorrecting(address)}>
                            {t("bounces.actions.correct")}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager total={query.data.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
        </>
      )}
      <CorrectAddressModal address={correcting} onClose={() => setCorrecting(null)} />
    </Stack>
  );
}
