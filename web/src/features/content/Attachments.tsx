// A mailing's attachments: upload (the file is the raw request body), list, delete; the total against the limit.
import { ActionIcon, Button, FileButton, Group, Progress, Stack, Table, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Attachments as AttachmentList } from "../../api/mailing-types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";

const DEFAULT_LIMIT = 25 * 1024 * 1024;

export function Attachments({ mailingId, editable }: { mailingId: number; editable: boolean }) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const key = [...mailingPartsKey(mailingId), "attachments"];
  const query = useQuery({
    queryKey: key,
    queryFn: () => api.get<AttachmentList>(`/api/mailings/${mailingId}/attachments`),
  });
  const limit = query.data?.limit ?? DEFAULT_LIMIT;
  const total = query.data?.totalSize ?? 0;

  function size(bytes: number): string {
    if (bytes < 1024) return `${formatNumber(bytes)} B`;
    if (bytes < 1024 * 1024) return `${formatNumber(Math.round(bytes / 102.4) / 10)} kB`;
    return `${formatNumber(Math.round(bytes / (1024 * 102.4)) / 10)} MB`;
  }

  async function upload(files: File[]) {
    if (files.length === 0) return;
    const adding = files.reduce((sum, f) => sum + f.size, 0);
    if (total + adding > limit) {
      notifyFailure(t("mailings.attachments.tooLarge", { limit: size(limit) }));
      return;
    }
    setBusy(true);
    try {
      for (const file of files) {
        await api.upload(`/api/mailings/${mailingId}/attachments`, file, { filename: file.name });
      }
      notifySuccess(t("mailings.attachments.added", { count: files.length }));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: key });
    }
  }

  async function remove(id: number) {
    try {
      await api.delete(`/api/mailings/${mailingId}/attachments/${id}`);
    } catch (error) {
      notifyFailure(error);
    }
    await queryClient.invalidateQueries({ queryKey: key });
  }

  return (
    <Stack gap="xs">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Text fw={500} size="sm">
            {t("mailings.attachments.title")}
          </Text>
          <Text size="xs" c="dimmed" data-testid="attachments-total">
            {t("mailings.attachments.total", { used: size(total), limit: size(limit) })}
          </Text>
        </Stack>
        <FileButton onChange={upload} multiple disabled={!editable}>
          {(props) => (
            <Button {...props} variant="default" size="xs" loading={busy} disabled={!editable}>
              {t("mailings.attachments.add")}
            </Button>
          )}
        </FileButton>
      </Group>
      <Progress
        aria-label={t("mailings.attachments.usage")}
        value={Math.min(100, (total / limit) * 100)}
        size="sm"
        color={total > limit ? "red" : "blue"}
      />
      <ErrorAlert error={query.error} />
      {(query.data?.items.length ?? 0) > 0 && (
        <Table verticalSpacing={4} data-testid="attachments-table">
          <Table.Tbody>
            {query.data?.items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{a.filename}</Table.Td>
                <Table.Td c="dimmed">{a.contentType}</Table.Td>
                <Table.Td ta="right">{size(a.size)}</Table.Td>
                <Table.Td w={40}>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    disabled={!editable}
                    aria-label={t("mailings.attachments.remove", { name: a.filename })}
                    onClick={() => remove(a.id)}
                  >
                    ×
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
