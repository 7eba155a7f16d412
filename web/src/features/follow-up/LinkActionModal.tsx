// What a reader's first real click on a link does to their person: join a static selection or a project, or gain or
// lose an interest. Also names an action for the links table.
import { Button, Group, Modal, Select, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useInterests } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import { useFocusReturnOnUnmount } from "../../app/dialog-focus.ts";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllProjects } from "../mailings/queries.ts";
import { useAllSelections } from "../selections/queries.ts";
import { LINK_ACTION_KINDS, type LinkAction, type LinkActionKind, type TrackedLink } from "./types.ts";

/** The targets an action kind picks from, as Select options. */
function useTargets(kind: LinkActionKind | null) {
  const selections = useAllSelections();
  const projects = useAllProjects();
  const interests = useInterests();
  if (kind === "add-to-selection")
    return (selections.data?.items ?? [])
      .filter((s) => s.kind === "static")
      .map((s) => ({ value: String(s.id), label: s.name }));
  if (kind === "add-to-project")
    return (projects.data?.items ?? []).map((p) => ({ value: String(p.id), label: p.name }));
  if (kind === "add-interest" || kind === "remove-interest")
    return (interests.data?.items ?? []).map((i) => ({ value: String(i.id), label: i.name }));
  return [];
}

/** "Add to project: Interesserte"; the target's id when it is gone or not loaded yet. */
export function ActionText({ action }: { action: LinkAction | null }) {
  const { t } = useI18n();
  const targets = useTargets(action?.kind ?? null);
  if (!action)
    return (
      <Text size="sm" c="dimmed">
        {t("followUp.links.noAction")}
      </Text>
    );
  const target = targets.find((o) => o.value === String(action.refId))?.label ?? `#${action.refId}`;
  return (
    <Text size="sm">
      {t(`followUp.actions.${action.kind}`)}: {target}
    </Text>
  );
}

export function LinkActionModal({
  mailingId,
  link,
  onClose,
  onSaved,
}: {
  mailingId: number;
  link: TrackedLink;
  onClose: () => void;
  onSaved: () => Promise<unknown>;
}) {
  const { t } = useI18n();
  const api = useApi();
  useFocusReturnOnUnmount();
  const [kind, setKind] = useState<LinkActionKind | null>(link.action?.kind ?? null);
  const [refId, setRefId] = useState<string | null>(link.action ? String(link.action.refId) : null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const targets = useTargets(kind);

  async function save(action: LinkAction | null) {
    setBusy(true);
    try {
      await api.put(`/api/mailings/${mailingId}/links/${link.id}/action`, { action });
      await onSaved();
      notifySuccess(t("followUp.links.actionSaved"));
      onClose();
    } catch (error) {
      setErrors(fieldErrors(error, t));
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened onClose={onClose} title={t("followUp.links.actionTitle")} centered>
      <Stack gap="sm" data-testid="link-action-modal">
        <Text size="sm" style={{ wordBreak: "break-all" }}>
          {link.url}
        </Text>
        <Text size="xs" c="dimmed">
          {t("followUp.links.actionHelp")}
        </Text>
        <Select
          label={t("followUp.links.actionKind")}
          value={kind}
          onChange={(v) => {
            setKind(v as LinkActionKind | null);
            setRefId(null);
          }}
          data={LINK_ACTION_KINDS.map((k) => ({ value: k, label: t(`followUp.actions.${k}`) }))}
        />
        {kind && (
          <Select
            label={t("followUp.links.actionTarget")}
            searchable
            value={refId}
            onChange={setRefId}
            data={targets}
            error={errors["action.refId"]}
          />
        )}
        <Group justify="space-between">
          <Button
            variant="subtle"
            color="red"
            disabled={!link.action}
            onClick={() => save(null)}
            loading={busy}
          >
            {t("followUp.links.clearAction")}
          </Button>
          <Group gap="sm">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button
              disabled={!kind || !refId}
              loading={busy}
              onClick={() => kind && refId && save({ kind, refId: Number(refId) })}
            >
              {t("common.save")}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
