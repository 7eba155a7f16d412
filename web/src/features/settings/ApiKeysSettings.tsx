// Your API keys: create one (its secret is shown once), see prefixes and last use, revoke.
import { Alert, Button, Code, CopyButton, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { ApiKey, CreatedApiKey, Items } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { AddForm } from "./AddForm.tsx";

export function ApiKeysSettings() {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ["api-keys"], queryFn: () => api.get<Items<ApiKey>>("/api/api-keys") });
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  async function add() {
    const key = await api.post<CreatedApiKey>("/api/api-keys", { name: name.trim() });
    setCreated(key);
    setName("");
    await queryClient.invalidateQueries({ queryKey: ["api-keys"] });
  }

  async function revoke(key: ApiKey) {
    await api.delete(`/api/api-keys/${key.id}`);
    await queryClient.invalidateQueries({ queryKey: ["api-keys"] });
    notifySuccess(t("settings.keys.revoked"));
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <Stack gap="md">
      <Text c="dimmed" size="sm">
        {t("settings.keys.intro")}
      </Text>
      {created && (
        <Alert
          color="green"
          title={t("settings.keys.createdTitle")}
          withCloseButton
          onClose={() => setCreated(null)}
        >
          <Stack gap="xs">
            <Text size="sm">{t("settings.keys.showOnce")}</Text>
            <Group gap="sm" wrap="nowrap">
              <Code block style={{ flex: 1, wordBreak: "break-all" }} data-testid="new-api-key">
                {created.key}
              </Code>
              <CopyButton value={created.key}>
                {({ copied, copy }) => (
                  <Button size="xs" variant={copied ? "filled" : "light"} onClick={copy}>
                    {copied ? t("common.copied") : t("common.copy")}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Alert>
      )}
      {query.data.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("settings.keys.none")}
        </Text>
      ) : (
        <Table verticalSpacing="xs" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("settings.keys.name")}</Table.Th>
              <Table.Th w={160}>{t("settings.keys.prefix")}</Table.Th>
              <Table.Th w={190}>{t("common.created")}</Table.Th>
              <Table.Th w={190}>{t("settings.keys.lastUsed")}</Table.Th>
              <Table.Th w={110} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {query.data.items.map((key) => (
              <Table.Tr key={key.id}>
                <Table.Td>{key.name}</Table.Td>
                <Table.Td>
                  <Code>{key.prefix}…</Code>
                </Table.Td>
                <Table.Td>{formatDateTime(key.createdAt)}</Table.Td>
                <Table.Td>
                  {key.lastUsedAt ? formatDateTime(key.lastUsedAt) : t("settings.keys.never")}
                </Table.Td>
                <Table.Td ta="right">
                  <ConfirmButton
                    size="compact-xs"
                    title={t("settings.keys.revokeTitle")}
                    message={t("settings.keys.revokeConfirm", { name: key.name })}
                    confirmLabel={t("settings.keys.revoke")}
                    onConfirm={() => revoke(key)}
                  >
                    {t("settings.keys.revoke")}
                  </ConfirmButton>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <AddForm
        title={t("settings.keys.add")}
        submitLabel={t("settings.keys.create")}
        onSubmit={add}
        disabled={!name.trim()}
      >
        {(errors) => (
          <TextInput
            w={320}
            label={t("settings.keys.name")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
          />
        )}
      </AddForm>
    </Stack>
  );
}
