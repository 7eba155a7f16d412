// "Export data" (the person's data export as JSON or a readable page) and "Erase person" (with a confirm dialog that
// lists what goes and what stays), on the person page. Shown by right: export, erase.
import { Button, Group, List, Menu, Modal, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { ErasurePlan } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { type MessageKey, useI18n } from "../../i18n/i18n.tsx";

const PLAN_ITEMS: Array<[keyof Omit<ErasurePlan, "personId">, MessageKey]> = [
  ["emails", "persons.erase.items.emails"],
  ["interests", "persons.erase.items.interests"],
  ["customFields", "persons.erase.items.customFields"],
  ["consents", "persons.erase.items.consents"],
  ["consentHistory", "persons.erase.items.consentHistory"],
  ["subscriptions", "persons.erase.items.subscriptions"],
  ["selections", "persons.erase.items.selections"],
  ["projects", "persons.erase.items.projects"],
  ["recipientRows", "persons.erase.items.recipientRows"],
  ["recipientImportRows", "persons.erase.items.recipientImportRows"],
  ["smsReceived", "persons.erase.items.smsReceived"],
];

export function PersonPrivacyActions({ personId, name }: { personId: number; name: string }) {
  const { t } = useI18n();
  const { can } = useSession();
  return (
    <>
      {can("export") && (
        <Menu position="bottom-end">
          <Menu.Target>
            <Button variant="default">{t("persons.exportData.button")}</Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item component="a" href={`/api/persons/${personId}/export`} download>
              {t("persons.exportData.json")}
            </Menu.Item>
            <Menu.Item
              component="a"
              href={`/api/persons/${personId}/export?format=html`}
              target="_blank"
              rel="noopener"
            >
              {t("persons.exportData.html")}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      )}
      {can("erase") && <EraseButton personId={personId} name={name} />}
    </>
  );
}

function EraseButton({ personId, name }: { personId: number; name: string }) {
  const { t } = useI18n();
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button color="red" variant="light" onClick={open}>
        {t("persons.erase.button")}
      </Button>
      <Modal opened={opened} onClose={close} title={t("persons.erase.title", { name })} centered size="lg">
        {opened && <ErasureDialog personId={personId} onCancel={close} />}
      </Modal>
    </>
  );
}

function ErasureDialog({ personId, onCancel }: { personId: number; onCancel: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const plan = useQuery({
    queryKey: ["persons", "erasure", personId],
    queryFn: () => api.get<ErasurePlan>(`/api/persons/${personId}/erasure`),
  });

  async function erase() {
    setBusy(true);
    try {
      await api.post(`/api/persons/${personId}/erase`);
      await queryClient.invalidateQueries({ queryKey: ["persons"] });
      notifySuccess(t("persons.erase.done"));
      navigate("/persons");
    } catch (error) {
      notifyFailure(error);
      setBusy(false);
    }
  }

  if (plan.isPending) return <Loading />;
  if (plan.isError) return <ErrorAlert error={plan.error} />;
  const goes = PLAN_ITEMS.filter(([key]) => plan.data[key] > 0);
  return (
    <Stack gap="sm">
      <Text size="sm">{t("persons.erase.intro")}</Text>
      <List size="sm" data-testid="erasure-plan">
        <List.Item>{t("persons.erase.items.person")}</List.Item>
        {goes.map(([key, label]) => (
          <List.Item key={key}>{t(label, { count: plan.data[key] })}</List.Item>
        ))}
      </List>
      <Text size="sm">
        {t("persons.erase.kept", {
          deliveries: t("persons.erase.keptParts.deliveries", { count: plan.data.deliveries }),
          events: t("persons.erase.keptParts.events", { count: plan.data.events }),
        })}
      </Text>
      <Text size="sm">{t("persons.erase.suppressed")}</Text>
      <Text size="sm" fw={600}>
        {t("persons.erase.final")}
      </Text>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onCancel}>
          {t("common.cancel")}
        </Button>
        <Button color="red" loading={busy} onClick={erase}>
          {t("persons.erase.confirm")}
        </Button>
      </Group>
    </Stack>
  );
}
