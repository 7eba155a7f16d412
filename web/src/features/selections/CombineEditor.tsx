// A combined selection: the union, intersection or difference of two other selections.
import { Button, Group, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { CombineOp, Selection } from "../../api/types.ts";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllSelections } from "./queries.ts";

const OPS: CombineOp[] = ["union", "intersection", "difference"];

export function CombineEditor({ selection, editable }: { selection: Selection; editable: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const all = useAllSelections();
  const [op, setOp] = useState<CombineOp>(selection.combine?.op ?? "union");
  const [leftId, setLeftId] = useState<string | null>(
    selection.combine ? String(selection.combine.leftId) : null,
  );
  const [rightId, setRightId] = useState<string | null>(
    selection.combine ? String(selection.combine.rightId) : null,
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  const options = (all.data?.items ?? [])
    .filter((s) => s.id !== selection.id)
    .map((s) => ({ value: String(s.id), label: `${s.name} (${t(`selections.kinds.${s.kind}`)})` }));

  async function save() {
    setSaving(true);
    setErrors({});
    try {
      await api.patch(`/api/selections/${selection.id}`, {
        combine: { op, leftId: Number(leftId), rightId: Number(rightId) },
      });
      await queryClient.invalidateQueries({ queryKey: ["selections"] });
      await queryClient.invalidateQueries({ queryKey: ["members", `/api/selections/${selection.id}`] });
      notifySuccess(t("combine.saved"));
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) notifyFailure(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <SegmentedControl
          w="fit-content"
          value={op}
          onChange={(v) => setOp(v as CombineOp)}
          disabled={!editable}
          data={OPS.map((o) => ({ value: o, label: t(`combine.ops.${o}`) }))}
        />
        <Text size="sm" c="dimmed">
          {t(`combine.explain.${op}`)}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t("combine.left")}
            searchable
            value={leftId}
            onChange={setLeftId}
            data={options}
            disabled={!editable}
            error={errors["combine.leftId"] ?? errors.leftId}
          />
          <Select
            label={t("combine.right")}
            searchable
            value={rightId}
            onChange={setRightId}
            data={options}
            disabled={!editable}
            error={errors["combine.rightId"] ?? errors.rightId ?? errors.combine}
          />
        </SimpleGrid>
        {editable && (
          <Group justify="flex-end">
            <Button onClick={save} loading={saving} disabled={!leftId || !rightId}>
              {t("combine.save")}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
