// The follow-up tabs of a mailing that has started sending (Statistics, Links, Recipients), placed inside the
// mailing page's Tabs: the tab buttons go in its Tabs.List, the panels beside the others.
import { Paper, Tabs } from "@mantine/core";
import type { Mailing } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { isDocument } from "../documents/types.ts";
import { SmsReplies } from "../sms/SmsReplies.tsx";
import { SmsStatistics } from "../sms/SmsStatistics.tsx";
import { isSms } from "../sms/types.ts";
import { LinksTab } from "./LinksTab.tsx";
import { RecipientsTab } from "./RecipientsTab.tsx";
import { StatisticsTab } from "./StatisticsTab.tsx";

/**
 * An SMS mailing has no links to follow; it has replies instead. A document (printed letters) has neither
 * statistics nor links: only its recipients.
 */
/** The tabs FollowUpTabs shows for the mailing, so a `?tab=` in the address can be checked against them. */
export function followUpTabKeys(mailing: Mailing): string[] {
  const sms = isSms(mailing);
  const doc = isDocument(mailing);
  return [
    ...(doc ? [] : ["statistics"]),
    ...(sms || doc ? [] : ["links"]),
    "recipients",
    ...(sms ? ["replies"] : []),
  ];
}

/** A started mailing's Statistics tab, as other pages link to it (a form names its form-response mailing). */
export const mailingStatisticsPath = (mailingId: number) => `/mailings/${mailingId}?tab=statistics`;

export function FollowUpTabs({ mailing }: { mailing: Mailing }) {
  const { t } = useI18n();
  const sms = isSms(mailing);
  const doc = isDocument(mailing);
  return (
    <>
      {!doc && <Tabs.Tab value="statistics">{t("followUp.tabs.statistics")}</Tabs.Tab>}
      {!sms && !doc && <Tabs.Tab value="links">{t("followUp.tabs.links")}</Tabs.Tab>}
      <Tabs.Tab value="recipients">{t("followUp.tabs.recipients")}</Tabs.Tab>
      {sms && <Tabs.Tab value="replies">{t("sms.replies.tab")}</Tabs.Tab>}
    </>
  );
}

export function FollowUpPanels({ mailing }: { mailing: Mailing }) {
  const sms = isSms(mailing);
  const doc = isDocument(mailing);
  return (
    <>
      {!doc && (
        <Tabs.Panel value="statistics">
          {sms ? <SmsStatistics mailing={mailing} /> : <StatisticsTab mailing={mailing} />}
        </Tabs.Panel>
      )}
      {!sms && !doc && (
        <Tabs.Panel value="links">
          <Paper withBorder p="md" radius="md">
            <LinksTab mailing={mailing} />
          </Paper>
        </Tabs.Panel>
      )}
      {sms && (
        <Tabs.Panel value="replies">
          <Paper withBorder p="md" radius="md">
            <SmsReplies mailingId={mailing.id} />
          </Paper>
        </Tabs.Panel>
      )}
      <Tabs.Panel value="recipients">
        <Paper withBorder p="md" radius="md">
          <RecipientsTab mailing={mailing} />
        </Paper>
      </Tabs.Panel>
    </>
  );
}
