// Step 1 for a document mailing: name, the letter's heading, attention line and our reference, the linked
// selection/project, goal and folder, and how the letters are put together (order, odd pages; one letter per
// address and preferring the company are the Recipients step's options, as for the other types).
// No sending account, subject or sender: a letter is printed, not sent.
import { Fieldset, Radio, Select, SimpleGrid, Stack, Switch, Textarea, TextInput } from "@mantine/core";
import {
  DOCUMENT_ATTENTION_MODES,
  DOCUMENT_ORDERS,
  GOAL_CATEGORIES,
} from "../../../../src/mailings/words.ts";
import type { GoalCategory } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllProjects } from "../mailings/queries.ts";
import { orNull, type StepProps } from "../mailings/step-props.ts";
import { useAllSelections } from "../selections/queries.ts";

export function DocumentSetupStep({ values, change, errors }: StepProps) {
  const { t } = useI18n();
  const selections = useAllSelections();
  const projects = useAllProjects();

  return (
    <Stack gap="lg">
      <Fieldset legend={t("mailings.setup.general")}>
        <Stack>
          <TextInput
            label={t("mailings.fields.name")}
            required
            value={values.name}
            onChange={(e) => change({ name: e.currentTarget.value })}
            error={errors.name}
          />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Textarea
              label={t("mailings.fields.goalText")}
              autosize
              minRows={1}
              value={values.goalText ?? ""}
              onChange={(e) => change({ goalText: orNull(e.currentTarget.value) })}
              error={errors.goalText}
            />
            <SimpleGrid cols={2}>
              <Select
                label={t("mailings.fields.goalCategory")}
                clearable
                value={values.goalCategory}
                onChange={(v) => change({ goalCategory: (v as GoalCategory | null) ?? null })}
                data={GOAL_CATEGORIES.map((c) => ({ value: c, label: t(`mailings.goals.${c}`) }))}
                error={errors.goalCategory}
              />
              <TextInput
                label={t("mailings.fields.folder")}
                value={values.folder ?? ""}
                onChange={(e) => change({ folder: orNull(e.currentTarget.value) })}
                error={errors.folder}
              />
            </SimpleGrid>
          </SimpleGrid>
        </Stack>
      </Fieldset>

      <Fieldset legend={t("documents.setup.letter")}>
        <Stack>
          <TextInput
            label={t("documents.fields.heading")}
            description={t("documents.setup.mergeAllowed")}
            value={values.docHeading ?? ""}
            onChange={(e) => change({ docHeading: orNull(e.currentTarget.value) })}
            error={errors.docHeading}
            data-testid="doc-heading"
          />
          <Radio.Group
            label={t("documents.fields.attentionMode")}
            value={values.docAttentionMode}
            onChange={(v) => change({ docAttentionMode: v as (typeof DOCUMENT_ATTENTION_MODES)[number] })}
          >
            <Stack gap="xs" mt={6}>
              {DOCUMENT_ATTENTION_MODES.map((mode) => (
                <Radio key={mode} value={mode} label={t(`documents.attentionModes.${mode}`)} />
              ))}
            </Stack>
          </Radio.Group>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TextInput
              label={t("documents.fields.attentionText")}
              value={values.docAttentionText ?? ""}
              onChange={(e) => change({ docAttentionText: orNull(e.currentTarget.value) })}
              error={errors.docAttentionText}
            />
            <TextInput
              label={t("documents.fields.ourRef")}
              description={t("documents.setup.mergeAllowed")}
              value={values.docOurRef ?? ""}
              onChange={(e) => change({ docOurRef: orNull(e.currentTarget.value) })}
              error={errors.docOurRef}
            />
          </SimpleGrid>
        </Stack>
      </Fieldset>

      <Fieldset legend={t("mailings.setup.audience")}>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Select
            label={t("mailings.fields.selection")}
            placeholder={t("mailings.setup.none")}
            searchable
            clearable
            value={values.selectionId === null ? null : String(values.selectionId)}
            onChange={(v) => change({ selectionId: v ? Number(v) : null })}
            data={(selections.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
            nothingFoundMessage={t("selections.noMatches")}
            error={errors.selectionId}
          />
          <Select
            label={t("mailings.fields.project")}
            placeholder={t("mailings.setup.none")}
            searchable
            clearable
            value={values.projectId === null ? null : String(values.projectId)}
            onChange={(v) => change({ projectId: v ? Number(v) : null })}
            data={(projects.data?.items ?? []).map((p) => ({ value: String(p.id), label: p.name }))}
            nothingFoundMessage={t("projects.noMatches")}
            error={errors.projectId}
          />
        </SimpleGrid>
      </Fieldset>

      <Fieldset legend={t("documents.setup.options")}>
        <Stack>
          <Radio.Group
            label={t("documents.fields.order")}
            value={values.docOrder}
            onChange={(v) => change({ docOrder: v as (typeof DOCUMENT_ORDERS)[number] })}
          >
            <Stack gap="xs" mt={6}>
              {DOCUMENT_ORDERS.map((order) => (
                <Radio key={order} value={order} label={t(`documents.orders.${order}`)} />
              ))}
            </Stack>
          </Radio.Group>
          <Switch
            label={t("documents.fields.oddPages")}
            description={t("documents.setup.oddPagesHelp")}
            checked={values.docOddPages}
            onChange={(e) => change({ docOddPages: e.currentTarget.checked })}
          />
        </Stack>
      </Fieldset>
    </Stack>
  );
}
