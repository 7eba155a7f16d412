// The follow-up tabs of a mailing that has started sending (Statistics, Links, Recipients), placed inside the
// mailing page's Tabs: the tab buttons go in its Tabs.List, the panels beside the others.
import { Paper, Tabs } from "@mantine/core";
import type { Mailing } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { LinksTab } from "./LinksTab.tsx";
import { RecipientsTab } from "./RecipientsTab.tsx";
import { StatisticsTab } from "./StatisticsTab.tsx";

export function FollowUpTabs() {
  const { t } = useI18n();
  return (
    <>
      <Tabs.Tab value="statistics">{t("followUp.tabs.statistics")}</Tabs.Tab>
      <Tabs.Tab value="links">{t("followUp.tabs.links")}</Tabs.Tab>
      <Tabs.Tab value="recipients">{t("followUp.tabs.recipients")}</Tabs.Tab>
    </>
  );
}

export function FollowUpPanels({ mailing }: { mailing: Mailing }) {
  return (
    <>
      <Tabs.Panel value="statistics">
        <StatisticsTab mailing={mailing} />
      </Tabs.Panel>
      <Tabs.Panel value="links">
        <Paper withBorder p="md" radius="md">
          <LinksTab mailing={mailing} />
        </Paper>
      </Tabs.Panel>
      <Tabs.Panel value="recipients">
        <Paper withBorder p="md" radius="md">
          <RecipientsTab mailing={mailing} />
        </Paper>
      </Tabs.Panel>
    </>
  );
}
