// Where a form names its form-response mailing (Actions tab, statistics page): links to the mailing and to its
// statistics, which accumulate there across submissions (SPEC §9) rather than on the form.
import { Anchor, Group, Text } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingStatisticsPath } from "../follow-up/FollowUpTabs.tsx";
import { useMailing } from "../mailings/queries.ts";

export function ResponseMailingLinks({ mailingId, named = false }: { mailingId: number; named?: boolean }) {
  const { t } = useI18n();
  const mailing = useMailing(mailingId);
  // A mailing not started yet has no statistics tab: say when they come instead of linking to nothing.
  const started = mailing.data ? mailing.data.startedAt !== null : null;
  return (
    <Group gap="md" data-testid="response-mailing-links">
      {named && mailing.data && (
        <Text size="sm">
          {t("forms.actions.responseMailing")}: <strong>{mailing.data.name}</strong>
        </Text>
      )}
      <Anchor component={Link} to={`/mailings/${mailingId}`} size="sm">
        {t("forms.actions.openResponseMailing")}
      </Anchor>
      {started === true && (
        <Anchor component={Link} to={mailingStatisticsPath(mailingId)} size="sm">
          {t("forms.actions.responseStatistics")}
        </Anchor>
      )}
      {started === false && (
        <Text size="sm" c="dimmed">
          {t("forms.actions.responseNotStarted")}
        </Text>
      )}
    </Group>
  );
}
