// One row of the follow-up recipient list: who, what became of their latest delivery, when they opened and clicked,
// and the receiving server's last reply.
import { Anchor, Badge, Checkbox, Group, Table, Text, Tooltip } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../../i18n/i18n.tsx";
import { useReasonText } from "../recipients/ReasonBadge.tsx";
import type { DeliveryStatus, FollowUpRow } from "./types.ts";

const STATUS_COLORS: Record<DeliveryStatus, string> = {
  pending: "gray",
  claimed: "gray",
  sending: "blue",
  sent: "green",
  delivered: "teal",
  failed: "red",
  bounced: "orange",
  complained: "grape",
  unknown: "yellow",
  cancelled: "dark",
  generated: "green",
};

function StatusBadges({ row, sms }: { row: FollowUpRow; sms: boolean }) {
  const { t } = useI18n();
  const reason = useReasonText();
  if (row.recipientStatus === "blocked")
    return (
      <Badge size="sm" variant="light" color="red">
        {t("followUp.byStatus.blocked")}: {reason(row.blockReason ?? "unknown")}
      </Badge>
    );
  if (!row.deliveryStatus)
    return (
      <Badge size="sm" variant="light" color="gray">
        {t("followUp.byStatus.notYetSent")}
      </Badge>
    );
  return (
    <Group gap={4} wrap="nowrap">
      <Badge size="sm" variant="light" color={STATUS_COLORS[row.deliveryStatus] ?? "teal"}>
        {/* An SMS counts as delivered only on the provider's report: until then it is sent. */}
        {sms && row.deliveryStatus === "sent"
          ? t("sms.recipients.sent")
          : t(`followUp.deliveryStatus.${row.deliveryStatus}`)}
      </Badge>
      {row.bounceKind && (
        <Badge size="sm" variant="outline" color="orange">
          {t(`followUp.bounceKind.${row.bounceKind}`)}
        </Badge>
      )}
      {row.attempt !== null && row.attempt > 1 && (
        <Text size="xs" c="dimmed">
          {t("followUp.recipients.attempt", { attempt: row.attempt })}
        </Text>
      )}
    </Group>
  );
}

export function RecipientRow({
  row,
  picked,
  onToggle,
  sms = false,
  tracked = !sms,
}: {
  row: FollowUpRow;
  /** An SMS row shows the mobile number and the provider's code, and no opens or clicks. */
  sms?: boolean;
  /** Opens and clicks are shown (not for an SMS or a printed letter). */
  tracked?: boolean;
  picked: boolean;
  onToggle: () => void;
}) {
  const { t, formatDateTime } = useI18n();
  const { mobile, providerCode } = row as { mobile?: string | null; providerCode?: string | null };
  const address = sms ? (mobile ?? null) : row.email;
  const who = row.name || address || `#${row.recipientId}`;
  return (
    <Table.Tr data-recipient-id={row.recipientId}>
      <Table.Td>
        <Checkbox aria-label={t("common.pickRow", { name: who })} checked={picked} onChange={onToggle} />
      </Table.Td>
      <Table.Td>
        {row.personId ? (
          <Anchor component={Link} to={`/persons/${row.personId}`} size="sm" fw={500}>
            {who}
          </Anchor>
        ) : (
          <Text size="sm" fw={500}>
            {who}
          </Text>
        )}
        {row.name && address && (
          <Text size="xs" c="dimmed">
            {address}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <StatusBadges row={row} sms={sms} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(row.sentAt)}</Text>
      </Table.Td>
      {tracked && (
        <Table.Td data-col="opened">
          <Text size="sm">{formatDateTime(row.openedAt)}</Text>
        </Table.Td>
      )}
      {tracked && (
        <Table.Td data-col="clicked">
          <Text size="sm">{formatDateTime(row.clickedAt)}</Text>
        </Table.Td>
      )}
      <Table.Td maw={280}>
        {providerCode && (
          <Text size="xs" data-testid="provider-code">
            {t("sms.recipients.providerCode", { code: providerCode })}
          </Text>
        )}
        {row.lastReply && (
          <Tooltip label={row.lastReply} multiline w={360}>
            <Text size="xs" c="dimmed" lineClamp={2} style={{ fontFamily: "monospace" }}>
              {row.lastReply}
            </Text>
          </Tooltip>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
