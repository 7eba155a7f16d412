// Creates a selection (static, dynamic or combined) and opens it where its content is edited.
import { Button, Group, Modal, Radio, Select, SimpleGrid, Stack, Textarea, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { CombineOp, Selection, SelectionKind } from "../../api/types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { EMPTY_CRITERIA } from "./criteria.ts";
import { useAllSelections } from "./queries.ts";

const KINDS: SelectionKind[] = ["static", "dynamic", "combined"];
const FIRST_TAB: Record<SelectionKind, string> = {
  static: "members",
  dynamic: "criteria",
  combined: "combine",
};

export function CreateSelectionModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [kind, setKind] = useState<SelectionKind>("dynamic");
  const [op, setOp] = useState<CombineOp>("union");
  const [leftId, setLeftId] = useState<string | null>(null);
  const [rightId, setRightId] = useState<string | null>(null);
  const all = useAllSelections();
  const options = (all.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setName("");
    setDescription("");
    setErrors({});
    setFailure(null);
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      const created = await api.post<Selection>("/api/selections", {
        name: name.trim(),
        description: description.trim() || null,
        kind,
        ...(kind === "dynamic" ? { criteria: EMPTY_CRITERIA } : {}),
        ...(kind === "combined"
          ? { combine: { op, leftId: Number(leftId ?? 0), rightId: Number(rightId ?? 0) } }
          : {}),
      });
      await queryClient.invalidateQueries({ queryKey: ["selections"] });
      close();
      navigate(`/selections/${created.id}?tab=${FIRST_TAB[kind]}`);
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={t("selections.newTitle")} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={failure} />
          <TextInput
            label={t("selections.name")}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            data-autofocus
          />
          <Textarea
            label={t("selections.description")}
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={errors.description}
          />
          <Radio.Group
            label={t("selections.kind")}
            value={kind}
            onChange={(v) => setKind(v as SelectionKind)}
            error={errors.kind ?? errors.combine ?? errors.criteria}
          >
            <Stack gap="xs" mt={6}>
              {KINDS.map((k) => (
                <Radio
                  key={k}
                  value={k}
                  label={t(`selections.kinds.${k}`)}
                  description={t(`selections.kindHelp.${k}`)}
                />
              ))}
            </Stack>
          </Radio.Group>
          {kind === "combined" && (
            <SimpleGrid cols={3}>
              <Select
                label={t("combine.op")}
                value={op}
                allowDeselect={false}
                onChange={(v) => v && setOp(v as CombineOp)}
                data={(["union", "intersection", "difference"] as const).map((o) => ({
                  value: o,
                  label: t(`combine.ops.${o}`),
                }))}
              />
              <Select
                label={t("combine.left")}
                searchable
                value={leftId}
                onChange={setLeftId}
                data={options}
                error={errors["combine.leftId"]}
              />
              <Select
                label={t("combine.right")}
                searchable
                value={rightId}
                onChange={setRightId}
                data={options}
                error={errors["combine.rightId"]}
              />
            </SimpleGrid>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("common.cancel")}
            </Button>
            <Button
              type="submit"
              loading={busy}
              disabled={name.trim() === "" || (kind === "combined" && (!leftId || !rightId))}
            >
              {t("selections.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
