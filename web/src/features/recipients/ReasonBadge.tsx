// A recipient row's status: eligible, or blocked with its reason in the user's language.
import { Badge } from "@mantine/core";
// The server's own list: a file of constants that imports nothing, so bundling it brings nothing else along.
import { isLeftOut } from "../../../../src/db/block-reasons.ts";
import type { Recipient } from "../../api/mailing-types.ts";
import { translateKnown, useI18n } from "../../i18n/i18n.tsx";

export { BLOCK_REASONS, LEFT_OUT_REASONS } from "../../../../src/db/block-reasons.ts";

export function useReasonText() {
  const { t } = useI18n();
  return (reason: string) => translateKnown(t, `recipients.reasons.${reason}`, reason);
}

export function RecipientStatusBadge({
  recipient,
}: {
  recipient: Pick<Recipient, "status" | "blockReason">;
}) {
  const { t } = useI18n();
  if (isLeftOut(recipient.blockReason))
    return (
      <Badge variant="light" color="gray">
        {t("recipients.leftOutOne")}
      </Badge>
    );
  return recipient.status === "eligible" ? (
    <Badge variant="light" color="green">
      {t("recipients.eligibleOne")}
    </Badge>
  ) : (
    <Badge variant="light" color="red">
      {t("recipients.blockedOne")}
    </Badge>
  );
}
