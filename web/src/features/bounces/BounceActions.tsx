// The actions on picked addresses, shared by the blocked-address list and a mailing's bounces: clear the block,
// add the persons to a selection or project, mark them as former employees, delete the address from them.
import { Button, Group, Modal, Select, Stack, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Page, Project } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllSelections } from "../selections/queries.ts";

/** After any bounce action: the lists, the persons and the mailings' parts may all have changed. */
export function useBounceChanged() {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ["bounces"] }),
      queryClient.invalidateQueries({ queryKey: ["persons"] }),
      queryClient.invalidateQueries({ queryKey: ["mailings"] }),
    ]);
  };
}

type Target = "selection" | "project";

export function BounceActions({ addresses, onDone }: { addresses: string[]; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const changed = useBounceChanged();
  const [busy, setBusy] = useState<string | null>(null);
  const [target, setTarget] = useState<Target | null>(null);
  if (!can("write")) return null;
  const none = addresses.length === 0;
  const count = { count: addresses.length };

  /** Runs one action on the picked addresses; false when it failed (the failure is shown). */
  async function run(
    action: string,
    body: Record<string, unknown>,
    message: (result: never) => string,
  ): Promise<boolean> {
    setBusy(action);
    try {
      const result = await api.post<never>(`/api/blocked-addresses/${action}`, { addresses, ...body });
      notifySuccess(message(result));
      await changed();
      onDone();
      return true;
    } catch (error) {
      notifyFailure(error);
      return false;
    } finally {
      setBusy(null);
    }
  }

  return (
    <Group gap="xs" wrap="wrap" data-testid="bounce-actions">
      <Text size="sm" c="dimmed">
        {t("bounces.picked", count)}
      </Text>
      <Button
        size="compact-sm"
        variant="light"
        disabled={none}
        loading={busy === "clear"}
        onClick={() =>
          run("clear", {}, (r: { cleared: number }) => t("bounces.cleared", { count: r.cleared }))
        }
      >
        {t("bounces.actions.clear")}
      </Button>
      <Button size="compact-sm" variant="default" disabled={none} onClick={() => setTarget("selection")}>
        {t("bounces.actions.addToSelection")}
      </Button>
      <Button size="compact-sm" variant="default" disabled={none} onClick={() => setTarget("project")}>
        {t("bounces.actions.addToProject")}
      </Button>
      <ConfirmButton
        size="compact-sm"
        color="orange"
        disabled={none}
        title={t("bounces.actions.formerEmployee")}
        message={t("bounces.formerEmployeeConfirm", count)}
        confirmLabel={t("bounces.actions.formerEmployee")}
        onConfirm={() =>
          run("mark-former-employee", {}, (r: { persons: number }) =>
            t("bounces.markedFormer", { count: r.persons }),
          )
        }
      >
        {t("bounces.actions.formerEmployee")}
      </ConfirmButton>
      <ConfirmButton
        size="compact-sm"
        disabled={none}
        title={t("bounces.actions.deleteAddress")}
        message={t("bounces.deleteConfirm", count)}
        confirmLabel={t("common.delete")}
        onConfirm={() =>
          run("delete-address", {}, (r: { removed: number }) => t("bounces.deleted", { count: r.removed }))
        }
      >
        {t("bounces.actions.deleteAddress")}
      </ConfirmButton>
      <AddToModal
        target={target}
        onClose={() => setTarget(null)}
        onAdd={(id) =>
          run(
            target === "project" ? "add-to-project" : "add-to-selection",
            target === "project" ? { projectId: id } : { selectionId: id },
            (r: { added: number }) => t("bounces.added", { count: r.added }),
          )
        }
      />
    </Group>
  );
}

function AddToModal({
  target,
  onClose,
  onAdd,
}: {
  target: Target | null;
  onClose: () => void;
  onAdd: (id: number) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [picked, setPicked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const selections = useAllSelections();
  const projects = useQuery({
    queryKey: ["projects", "all"],
    queryFn: () => api.get<Page<Project>>("/api/projects", { limit: 500 }),
    enabled: target === "project",
  });
  const options =
    target === "project"
      ? (projects.data?.items ?? []).map((p) => ({ value: String(p.id), label: p.name }))
      : (selections.data?.items ?? [])
          .filter((s) => s.kind === "static")
          .map((s) => ({ value: String(s.id), label: s.name }));

  function close() {
    setPicked(null);
    onClose();
  }

  return (
    <Modal
      opened={target !== null}
      onClose={close}
      title={target === "project" ? t("bounces.actions.addToProject") : t("bounces.actions.addToSelection")}
    >
      <Stack>
        <Select
          label={target === "project" ? t("bounces.project") : t("bounces.staticSelection")}
          searchable
          data={options}
          value={picked}
          onChange={setPicked}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t("common.cancel")}
          </Button>
          <Button
            disabled={picked === null}
            loading={busy}
            onClick={async () => {
              setBusy(true);
              const done = await onAdd(Number(picked));
              setBusy(false);
              if (done) close();
            }}
          >
            {t("common.add")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
