// Edits a dynamic selection's criteria: rows of tests, all or any of them, groups one level deep,
// a live count of who matches, and save.
import { Button, Fieldset, Group, Paper, SegmentedControl, Stack, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { CriteriaFields, LeafCriterion, Match, Selection } from "../../api/types.ts";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { CriteriaPreview } from "./CriteriaPreview.tsx";
import { CriterionRow } from "./CriterionRow.tsx";
import { blankCriterion, cleanCriteria, DEFAULT_FIELDS, isComplete } from "./criteria.ts";
import { type Draft, type DraftRow, fromDraft, type LeafRow, nextRowId, toDraft } from "./criteria-draft.ts";

export function CriteriaEditor({ selection, editable }: { selection: Selection; editable: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => toDraft(selection.criteria));
  const [saving, setSaving] = useState(false);
  const [dirty, setDirty] = useState(false);
  const fieldsQuery = useQuery({
    queryKey: ["selections", "criteria-fields"],
    queryFn: () => api.get<CriteriaFields>("/api/selections/criteria-fields"),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const fields = fieldsQuery.data?.fields ?? DEFAULT_FIELDS;
  const criteria = cleanCriteria(fromDraft(draft));
  const complete = isComplete(criteria);

  function update(next: Draft) {
    setDraft(next);
    setDirty(true);
  }

  async function save() {
    setSaving(true);
    try {
      await api.patch<Selection>(`/api/selections/${selection.id}`, { criteria });
      await queryClient.invalidateQueries({ queryKey: ["selections"] });
      await queryClient.invalidateQueries({ queryKey: ["members", `/api/selections/${selection.id}`] });
      setDirty(false);
      notifySuccess(t("criteria.saved"));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setSaving(false);
    }
  }

  const newLeaf = (): LeafRow => ({ id: nextRowId(), criterion: blankCriterion("field") });

  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md">
        <Fieldset variant="unstyled" disabled={!editable} p={0} m={0}>
          <Stack gap="sm">
            <MatchSwitch value={draft.match} onChange={(match) => update({ ...draft, match })} />
            {draft.rows.length === 0 && (
              <Text c="dimmed" size="sm">
                {t("criteria.noneYet")}
              </Text>
            )}
            <RowList rows={draft.rows} fields={fields} onChange={(rows) => update({ ...draft, rows })} />
            {editable && (
              <Group gap="xs">
                <Button
                  variant="light"
                  size="xs"
                  onClick={() => update({ ...draft, rows: [...draft.rows, newLeaf()] })}
                >
                  {t("criteria.addCriterion")}
                </Button>
                <Button
                  variant="subtle"
                  size="xs"
                  onClick={() =>
                    update({
                      ...draft,
                      rows: [...draft.rows, { id: nextRowId(), group: { match: "any", rows: [newLeaf()] } }],
                    })
                  }
                >
                  {t("criteria.addGroup")}
                </Button>
              </Group>
            )}
          </Stack>
        </Fieldset>
      </Paper>
      <CriteriaPreview criteria={criteria} complete={complete} />
      {editable && (
        <Group justify="flex-end">
          <Button
            variant="default"
            disabled={!dirty}
            onClick={() => {
              setDraft(toDraft(selection.criteria));
              setDirty(false);
            }}
          >
            {t("criteria.undo")}
          </Button>
          <Button onClick={save} loading={saving} disabled={!dirty || !complete}>
            {t("criteria.save")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function MatchSwitch({ value, onChange }: { value: Match; onChange: (match: Match) => void }) {
  const { t } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      w="fit-content"
      value={value}
      onChange={(v) => onChange(v as Match)}
      data={[
        { value: "all", label: t("criteria.matchAll") },
        { value: "any", label: t("criteria.matchAny") },
      ]}
    />
  );
}

function RowList({
  rows,
  fields,
  onChange,
}: {
  rows: DraftRow[];
  fields: CriteriaFields["fields"];
  onChange: (rows: DraftRow[]) => void;
}) {
  const { t } = useI18n();
  const replace = (id: number, row: DraftRow | null) =>
    onChange(rows.flatMap((r) => (r.id === id ? (row ? [row] : []) : [r])));

  return (
    <Stack gap="xs">
      {rows.map((row, index) =>
        "group" in row ? (
          <Paper key={row.id} withBorder p="sm" radius="sm" bg="gray.0" data-testid="criteria-group">
            <Stack gap="xs">
              <Group justify="space-between">
                <MatchSwitch
                  value={row.group.match}
                  onChange={(match) => replace(row.id, { ...row, group: { ...row.group, match } })}
                />
                <Button variant="subtle" color="gray" size="compact-xs" onClick={() => replace(row.id, null)}>
                  {t("criteria.removeGroup")}
                </Button>
              </Group>
              <RowList
                rows={row.group.rows}
                fields={fields}
                onChange={(inner) =>
                  replace(
                    row.id,
                    inner.length === 0 ? null : { ...row, group: { ...row.group, rows: inner as LeafRow[] } },
                  )
                }
              />
              <Group>
                <Button
                  variant="subtle"
                  size="compact-xs"
                  onClick={() =>
                    replace(row.id, {
                      ...row,
                      group: {
                        ...row.group,
                        rows: [...row.group.rows, { id: nextRowId(), criterion: blankCriterion("field") }],
                      },
                    })
                  }
                >
                  {t("criteria.addCriterion")}
                </Button>
              </Group>
            </Stack>
          </Paper>
        ) : (
          <CriterionRow
            key={row.id}
            index={index}
            criterion={row.criterion}
            fields={fields}
            onChange={(criterion: LeafCriterion) => replace(row.id, { id: row.id, criterion })}
            onRemove={() => replace(row.id, null)}
          />
        ),
      )}
    </Stack>
  );
}
