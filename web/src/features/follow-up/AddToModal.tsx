// "Add to selection or project": the CRM persons behind picked rows, or behind every row a query matches, go into a
// new static selection, an existing static selection or a project. Rows without a CRM person are skipped; the answer
// says exactly who was added, who was a member already and who could not be added, and why.
import { Button, Group, List, Modal, SegmentedControl, Select, Stack, Text, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllProjects } from "../mailings/queries.ts";
import { useAllSelections } from "../selections/queries.ts";
import { rowParams } from "./queries.ts";
import type { AddResult, AddRows } from "./types.ts";

type Mode = "newSelection" | "selection" | "project";

export function AddToModal({
  mailingId,
  rows,
  count,
  opened,
  onClose,
  onDone,
}: {
  mailingId: number;
  rows: AddRows;
  count: number;
  opened: boolean;
  onClose: () => void;
  onDone?: () => void;
}) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const selections = useAllSelections();
  const projects = useAllProjects();
  const [mode, setMode] = useState<Mode>("newSelection");
  const [name, setName] = useState("");
  const [targetId, setTargetId] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AddResult | null>(null);

  const ready = mode === "newSelection" ? name.trim().length > 0 : targetId !== null;
  const staticSelections = (selections.data?.items ?? []).filter((s) => s.kind === "static");

  async function submit() {
    const which =
      "recipientIds" in rows
        ? { recipientIds: rows.recipientIds }
        : Object.fromEntries(Object.entries(rowParams(rows)).filter(([, v]) => v !== undefined));
    const target =
      mode === "newSelection"
        ? { newSelectionName: name.trim() }
        : mode === "selection"
          ? { selectionId: Number(targetId) }
          : { projectId: Number(targetId) };
    setBusy(true);
    try {
      const result = await api.post<AddResult>(`/api/mailings/${mailingId}/follow-up/add-to`, {
        ...which,
        ...target,
      });
      notifySuccess(t("followUp.addTo.done", { added: formatNumber(result.added) }));
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["selections"] }),
        queryClient.invalidateQueries({ queryKey: ["projects"] }),
      ]);
      setName("");
      setTargetId(null);
      setErrors({});
      setResult(result);
    } catch (error) {
      setErrors(fieldErrors(error, t));
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  function finish() {
    setResult(null);
    onDone?.();
    onClose();
  }

  if (result)
    return (
      <Modal opened={opened} onClose={finish} title={t("followUp.addTo.title")} centered>
        <Stack gap="sm" data-testid="add-to-result">
          <AddedGroup
            testId="added"
            text={t("followUp.addTo.result.added", { count: result.added })}
            names={result.named.added.map((p) => p.name ?? `#${p.personId}`)}
            total={result.added}
          />
          <AddedGroup
            testId="already"
            text={t("followUp.addTo.result.already", { count: result.alreadyMembers })}
            names={result.named.alreadyMembers.map((p) => p.name ?? `#${p.personId}`)}
            total={result.alreadyMembers}
          />
          <AddedGroup
            testId="not-in-crm"
            text={t("followUp.addTo.result.notInCrm", { count: result.notInCrm })}
            names={result.named.notInCrm.map((r) => r.name ?? r.email ?? `#${r.recipientId}`)}
            total={result.notInCrm}
          />
          {result.rows > result.persons + result.notInCrm && (
            <Text size="sm" c="dimmed">
              {t("followUp.addTo.result.samePerson", {
                count: result.rows - result.persons - result.notInCrm,
              })}
            </Text>
          )}
          <Group justify="flex-end">
            <Button onClick={finish}>{t("followUp.addTo.result.close")}</Button>
          </Group>
        </Stack>
      </Modal>
    );

  return (
    <Modal opened={opened} onClose={onClose} title={t("followUp.addTo.title")} centered>
      <Stack gap="sm" data-testid="add-to-modal">
        <Text size="sm">{t("followUp.addTo.rows", { count: count })}</Text>
        <SegmentedControl
          value={mode}
          onChange={(v) => {
            setMode(v as Mode);
            setTargetId(null);
          }}
          data={[
            { value: "newSelection", label: t("followUp.addTo.newSelection") },
            { value: "selection", label: t("followUp.addTo.selection") },
            { value: "project", label: t("followUp.addTo.project") },
          ]}
        />
        {mode === "newSelection" && (
          <TextInput
            label={t("followUp.addTo.name")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.newSelectionName}
            data-autofocus
          />
        )}
        {mode === "selection" && (
          <Select
            label={t("followUp.addTo.selection")}
            description={t("followUp.addTo.staticOnly")}
            searchable
            value={targetId}
            onChange={setTargetId}
            data={staticSelections.map((s) => ({ value: String(s.id), label: s.name }))}
            error={errors.selectionId}
          />
        )}
        {mode === "project" && (
          <Select
            label={t("followUp.addTo.project")}
            searchable
            value={targetId}
            onChange={setTargetId}
            data={(projects.data?.items ?? []).map((p) => ({ value: String(p.id), label: p.name }))}
            error={errors.projectId}
          />
        )}
        <Text size="xs" c="dimmed">
          {t("followUp.addTo.crmOnly")}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button onClick={submit} loading={busy} disabled={!ready}>
            {t("followUp.addTo.submit")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** One group of the answer: its count in words, and who is in it (the first 100). */
function AddedGroup({
  testId,
  text,
  names,
  total,
}: {
  testId: string;
  text: string;
  names: string[];
  total: number;
}) {
  const { t } = useI18n();
  if (total === 0) return null;
  return (
    <div data-testid={`add-to-${testId}`}>
      <Text size="sm" fw={600}>
        {text}
      </Text>
      <List size="sm">
        {names.map((name, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: two people may share a name; the order is fixed.
          <List.Item key={i}>{name}</List.Item>
        ))}
      </List>
      {total > names.length && (
        <Text size="xs" c="dimmed">
          {t("followUp.addTo.result.more", { count: total - names.length })}
        </Text>
      )}
    </div>
  );
}
