// Find persons by name, e-mail or company and add the ones picked.
import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Page, PersonSummary } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure } from "../../app/notify.ts";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { PersonTable } from "../persons/PersonTable.tsx";

export function AddMembersModal({
  opened,
  onClose,
  onAdd,
}: {
  opened: boolean;
  onClose: () => void;
  onAdd: (personIds: number[]) => Promise<void>;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [q, setQ] = useState("");
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);

  const query = useQuery({
    queryKey: ["persons", "list", "add-members", q],
    queryFn: () => api.get<Page<PersonSummary>>("/api/persons", { q: q.trim(), limit: 20 }),
    placeholderData: keepPreviousData,
    enabled: opened,
  });

  function close() {
    setPicked(new Set());
    setQ("");
    onClose();
  }

  async function add() {
    setBusy(true);
    try {
      await onAdd([...picked]);
      close();
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={t("members.addTitle")} size="xl">
      <Stack>
        <SearchInput value={q} onSearch={setQ} placeholder={t("persons.searchPlaceholder")} w="100%" />
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorAlert error={query.error} />
        ) : query.data.items.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t("persons.noMatches")}
          </Text>
        ) : (
          <PersonTable
            persons={query.data.items}
            picking={{ picked, onChange: setPicked }}
            testId="add-members-table"
          />
        )}
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {t("members.pickedCount", { count: picked.size })}
          </Text>
          <Group gap="sm">
            <Button variant="default" onClick={close}>
              {t("common.cancel")}
            </Button>
            <Button onClick={add} loading={busy} disabled={picked.size === 0}>
              {t("members.addPicked", { count: picked.size })}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
