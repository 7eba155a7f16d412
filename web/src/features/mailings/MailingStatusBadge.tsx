// A mailing's status (draft → scheduled → sending ⇄ paused → finished, or cancelled) as a coloured label.
import { Badge } from "@mantine/core";
import type { MailingStatus } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export { MAILING_STATUSES } from "../../../../src/mailings/words.ts";

const COLORS: Record<MailingStatus, string> = {
  draft: "gray",
  scheduled: "violet",
  sending: "blue",
  paused: "yellow",
  finished: "green",
  cancelled: "red",
};

export function MailingStatusBadge({ status }: { status: MailingStatus }) {
  const { t } = useI18n();
  return (
    <Badge variant="light" color={COLORS[status] ?? "gray"} data-testid="mailing-status">
      {t(`mailings.statuses.${status}`)}
    </Badge>
  );
}
