// Subscription types ("Monthly newsletter"): add, rename, describe; shows how many subscribe.
import { ActionIcon, Button, Group, Table, Text, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSubscriptionTypes } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { SubscriptionType } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { AddForm } from "./AddForm.tsx";

export function SubscriptionTypesSettings() {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useSubscriptionTypes();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [editing, setEditing] = useState<number | null>(null);

  async function add() {
    await api.post("/api/subscription-types", { name: name.trim(), description: description.trim() || null });
    await queryClient.invalidateQueries({ queryKey: ["subscription-types"] });
    setName("");
    setDescription("");
    notifySuccess(t("settings.saved"));
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <>
      {query.data.items.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("subscriptions.noTypes")}
        </Text>
      ) : (
        <Table verticalSpacing="xs" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="30%">{t("settings.types.name")}</Table.Th>
              <Table.Th>{t("settings.types.description")}</Table.Th>
              <Table.Th w={120} ta="right">
                {t("settings.types.subscribers")}
              </Table.Th>
              <Table.Th w={90} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {query.data.items.map((type) =>
              editing === type.id ? (
                <EditRow key={type.id} type={type} onDone={() => setEditing(null)} />
              ) : (
                <Table.Tr key={type.id}>
                  <Table.Td fw={500}>{type.name}</Table.Td>
                  <Table.Td>{type.description}</Table.Td>
                  <Table.Td ta="right">{formatNumber(type.subscriberCount ?? 0)}</Table.Td>
                  <Table.Td ta="right">
                    <Button variant="subtle" size="compact-xs" onClick={() => setEditing(type.id)}>
                      {t("common.edit")}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ),
            )}
          </Table.Tbody>
        </Table>
      )}
      <AddForm
        title={t("settings.types.add")}
        submitLabel={t("common.add")}
        onSubmit={add}
        disabled={!name.trim()}
      >
        {(errors) => (
          <>
            <TextInput
              label={t("settings.types.name")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
            />
            <TextInput
              w={360}
              label={t("settings.types.description")}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
              error={errors.description}
            />
          </>
        )}
      </AddForm>
    </>
  );
}

function EditRow({ type, onDone }: { type: SubscriptionType; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState(type.name);
  const [description, setDescription] = useState(type.description ?? "");
  const [busy, setBusy] = useState(false);

  async function save() {
    setBusy(true);
    try {
      await api.patch(`/api/subscription-types/${type.id}`, {
        name: name.trim(),
        description: description.trim() || null,
      });
      await queryClient.invalidateQueries({ queryKey: ["subscription-types"] });
      notifySuccess(t("settings.saved"));
      onDone();
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Table.Tr>
      <Table.Td>
        <TextInput
          size="xs"
          aria-label={t("settings.types.name")}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
      </Table.Td>
      <Table.Td>
        <TextInput
          size="xs"
          aria-label={t("settings.types.description")}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
      </Table.Td>
      <Table.Td />
      <Table.Td>
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Button size="compact-xs" loading={busy} onClick={save} disabled={!name.trim()}>
            {t("common.save")}
          </Button>
          <ActionIcon variant="subtle" color="gray" aria-label={t("common.cancel")} onClick={onDone}>
            ×
          </ActionIcon>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
