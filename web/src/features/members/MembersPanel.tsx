// The persons in a selection or project: search, pages of 50, and (where members are explicit) add and remove.

import { Button, Group } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Page, PersonSummary } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { EmptyNote } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PagedRows } from "../../app/PagedRows.tsx";
import { PAGE_SIZE } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { PersonTable } from "../persons/PersonTable.tsx";
import { AddMembersModal } from "./AddMembersModal.tsx";

export function MembersPanel({
  owner,
  editable,
  emptyHint,
}: {
  /** API path of the owner, e.g. "/api/selections/3"; members live under `${owner}/members`. */
  owner: string;
  editable: boolean;
  emptyHint?: string;
}) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [q, setQ] = useState("");
  const [offset, setOffset] = useState(0);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [adding, { open, close }] = useDisclosure(false);

  const query = useQuery({
    queryKey: ["members", owner, q, offset],
    queryFn: () =>
      api.get<Page<PersonSummary>>(`${owner}/members`, { q: q.trim(), limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });

  async function changed() {
    await queryClient.invalidateQueries({ queryKey: ["members", owner] });
    await queryClient.invalidateQueries({ queryKey: ["selections"] });
    await queryClient.invalidateQueries({ queryKey: ["projects"] });
  }

  async function removePicked() {
    await api.post(`${owner}/members/remove`, { personIds: [...picked] });
    notifySuccess(t("members.removed", { count: picked.size }));
    setPicked(new Set());
    await changed();
  }

  return (
    <>
      <Group justify="space-between" mb="md" align="flex-end">
        <SearchInput
          value={q}
          onSearch={(text) => {
            setQ(text);
            setOffset(0);
          }}
          placeholder={t("members.searchPlaceholder")}
        />
        {editable && (
          <Group gap="sm">
            {picked.size > 0 && (
              <ConfirmButton
                title={t("members.removeTitle")}
                message={t("members.removeConfirm", { count: picked.size })}
                confirmLabel={t("members.remove")}
                onConfirm={removePicked}
              >
                {t("members.removePicked", { count: picked.size })}
              </ConfirmButton>
            )}
            <Button onClick={open}>{t("members.add")}</Button>
          </Group>
        )}
      </Group>
      <PagedRows
        query={query}
        offset={offset}
        onOffset={setOffset}
        empty={
          <EmptyNote
            title={q ? t("members.noMatches") : t("members.empty")}
            description={q ? undefined : emptyHint}
          />
        }
      >
        {(items) => (
          <>
            <PersonTable
              persons={items}
              picking={editable ? { picked, onChange: setPicked } : undefined}
              testId="members-table"
            />
          </>
        )}
      </PagedRows>
      {editable && (
        <AddMembersModal
          opened={adding}
          onClose={close}
          onAdd={async (personIds) => {
            await api.post(`${owner}/members`, { personIds });
            notifySuccess(t("members.added", { count: personIds.length }));
            await changed();
          }}
        />
      )}
    </>
  );
}
