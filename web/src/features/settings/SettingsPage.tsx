// Admin settings: users, subscription types, consent purposes, custom fields, sending accounts and domains, API
// keys, the letterhead on printed letters, the consent filter, the suppression list and the audit log.
import { Paper, Tabs } from "@mantine/core";
import type { JSX } from "react";
import { useSearchParams } from "react-router";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { ApiKeysSettings } from "./ApiKeysSettings.tsx";
import { AuditLogSettings } from "./AuditLogSettings.tsx";
import { ConsentPurposesSettings } from "./ConsentPurposesSettings.tsx";
import { CustomFieldsSettings } from "./CustomFieldsSettings.tsx";
import { GeneralSettings } from "./GeneralSettings.tsx";
import { LetterheadSettings } from "./LetterheadSettings.tsx";
import { PrivacySettings } from "./PrivacySettings.tsx";
import { SendingSettings } from "./SendingSettings.tsx";
import { SubscriptionTypesSettings } from "./SubscriptionTypesSettings.tsx";
import { UsersSettings } from "./UsersSettings.tsx";

const TABS = [
  "users",
  "subscriptionTypes",
  "consentPurposes",
  "customFields",
  "sending",
  "apiKeys",
  "general",
  "letterhead",
  "privacy",
  "audit",
] as const;
type Tab = (typeof TABS)[number];

const PANELS: Record<Tab, () => JSX.Element> = {
  users: UsersSettings,
  subscriptionTypes: SubscriptionTypesSettings,
  consentPurposes: ConsentPurposesSettings,
  customFields: CustomFieldsSettings,
  sending: SendingSettings,
  apiKeys: ApiKeysSettings,
  general: GeneralSettings,
  letterhead: LetterheadSettings,
  privacy: PrivacySettings,
  audit: AuditLogSettings,
};

export function SettingsPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get("tab") ?? "")
    ? (params.get("tab") as Tab)
    : "users";

  return (
    <>
      <PageHeader title={t("settings.title")} />
      <Tabs
        value={tab}
        onChange={(next) => next && setParams({ tab: next }, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {TABS.map((name) => (
            <Tabs.Tab key={name} value={name}>
              {t(`settings.tabs.${name}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {TABS.map((name) => {
          const Panel = PANELS[name];
          return (
            <Tabs.Panel key={name} value={name}>
              <Paper withBorder p="md" radius="md">
                <Panel />
              </Paper>
            </Tabs.Panel>
          );
        })}
      </Tabs>
    </>
  );
}
