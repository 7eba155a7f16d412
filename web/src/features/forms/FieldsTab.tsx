// The builder's Fields tab: the form's fields in order (add from the CRM fields, consent purposes, subscription types
// or the free kinds; edit; remove; reorder by dragging the handle or with the Move up / Move down buttons), and the
// hosted page's markup for the draft beside it, fetched again 300 ms after the last change.
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type DragEvent, useEffect, useRef, useState } from "react";
import { useConsentPurposes, useCustomFields, useSubscriptionTypes } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert } from "../../app/feedback.tsx";
import { type Translate, useI18n } from "../../i18n/i18n.tsx";
import {
  addField,
  addOption,
  type BuilderProblem,
  isChoice,
  MAPPED_LABELS,
  moveField,
  type NewField,
  relabelField,
  removeField,
  removeOption,
  setOption,
  updateField,
} from "./builder.ts";
import type {
  FormDefinition,
  FormField,
  FormLanguage,
  FormPreview,
  FreeFieldType,
  LocalText,
} from "./types.ts";

const FREE_TYPES: FreeFieldType[] = ["text", "long-text", "choice", "multi-choice", "date", "hidden"];

export function problemText(t: Translate, problem: BuilderProblem): string {
  return t(`forms.problems.${problem.code}`, { key: problem.key ?? "" });
}

type Props = {
  definition: FormDefinition;
  onChange: (definition: FormDefinition) => void;
  problems: BuilderProblem[];
  language: FormLanguage;
  name: string;
  readOnly: boolean;
};

export function FieldsTab({ definition, onChange, problems, language, name, readOnly }: Props) {
  const { t } = useI18n();
  const fields = definition.fields;
  // Stable React keys for the rows, moved with them: a field's own key changes as its label is typed.
  const ids = useRef<number[]>([]);
  const nextId = useRef(1);
  if (ids.current.length !== fields.length) ids.current = fields.map(() => nextId.current++);
  const [open, setOpen] = useState<number | null>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const focusAfterMove = useRef<{ id: number; direction: "up" | "down" } | null>(null);

  useEffect(() => {
    const target = focusAfterMove.current;
    if (!target) return;
    focusAfterMove.current = null;
    const button = (direction: string) =>
      document.querySelector<HTMLButtonElement>(`[data-move="${target.id}-${direction}"]`);
    const wanted = button(target.direction);
    (wanted && !wanted.disabled ? wanted : button(target.direction === "up" ? "down" : "up"))?.focus();
  });

  function add(spec: NewField) {
    ids.current = [...ids.current, nextId.current++];
    onChange(addField(definition, spec));
    setOpen(ids.current[ids.current.length - 1]!);
  }

  function remove(index: number) {
    const label = labelIn(fields[index]!.label, language);
    ids.current = ids.current.filter((_, i) => i !== index);
    onChange(removeField(definition, index));
    setAnnouncement(t("forms.fields.removed", { label }));
  }

  function move(from: number, to: number, direction?: "up" | "down") {
    if (to < 0 || to >= fields.length || from === to) return;
    const next = [...ids.current];
    const [id] = next.splice(from, 1);
    next.splice(to, 0, id!);
    ids.current = next;
    if (direction) focusAfterMove.current = { id: id!, direction };
    onChange(moveField(definition, from, to));
    setAnnouncement(
      t("forms.fields.moved", {
        label: labelIn(fields[from]!.label, language),
        position: to + 1,
        count: fields.length,
      }),
    );
  }

  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("forms.fields.title")}
        </Title>
        <VisuallyHidden role="status" aria-live="polite">
          {announcement}
        </VisuallyHidden>
        {fields.length === 0 && (
          <Text c="dimmed" size="sm">
            {t("forms.fields.none")}
          </Text>
        )}
        <Stack gap="xs" data-testid="form-fields">
          {fields.map((field, index) => {
            const id = ids.current[index]!;
            return (
              <FieldCard
                key={id}
                id={id}
                field={field}
                index={index}
                count={fields.length}
                language={language}
                problems={problems.filter((p) => p.index === index)}
                open={open === id}
                readOnly={readOnly}
                dragging={dragFrom === index}
                onToggle={() => setOpen(open === id ? null : id)}
                onMove={(to, direction) => move(index, to, direction)}
                onRemove={() => remove(index)}
                onDragStart={() => setDragFrom(index)}
                onDragEnd={() => setDragFrom(null)}
                onDrop={() => {
                  if (dragFrom !== null) move(dragFrom, index);
                  setDragFrom(null);
                }}
                definition={definition}
                onChange={onChange}
              />
            );
          })}
        </Stack>
        {problems
          .filter((p) => p.index === undefined)
          .map((p) => (
            <Alert key={p.code} color="orange" data-testid="form-problem">
              {problemText(t, p)}
            </Alert>
          ))}
        {!readOnly && <AddField onAdd={add} />}
      </Stack>
      <PreviewPanel definition={definition} language={language} name={name} />
    </SimpleGrid>
  );
}

function labelIn(text: LocalText, language: FormLanguage): string {
  return text[language] || text.nb || text.en;
}

/** The "Add field" picker: one list grouped by kind, then the Add button. */
function AddField({ onAdd }: { onAdd: (spec: NewField) => void }) {
  const { t, language: ui } = useI18n();
  const purposes = useConsentPurposes();
  const types = useSubscriptionTypes();
  const customFields = useCustomFields();
  const [choice, setChoice] = useState<string | null>(null);

  const data = [
    {
      group: t("forms.kinds.mapped"),
      items: [
        ...Object.entries(MAPPED_LABELS).map(([maps, label]) => ({
          value: `mapped:${maps}`,
          label: label[ui],
        })),
        ...(customFields.data?.items ?? []).map((f) => ({ value: `mapped:custom:${f.id}`, label: f.label })),
      ],
    },
    {
      group: t("forms.kinds.consent"),
      items: (purposes.data?.items ?? []).map((p) => ({
        value: `consent:${p.key}`,
        label: t("forms.fields.consentFor", { name: p.name }),
      })),
    },
    {
      group: t("forms.kinds.subscription"),
      items: (types.data?.items ?? []).map((s) => ({
        value: `subscription:${s.id}`,
        label: t("forms.fields.subscriptionTo", { name: s.name }),
      })),
    },
    {
      group: t("forms.kinds.free"),
      items: FREE_TYPES.map((type) => ({ value: `free:${type}`, label: t(`forms.fieldTypes.${type}`) })),
    },
  ].filter((g) => g.items.length > 0);

  function specOf(value: string): NewField | null {
    const [kind, ...rest] = value.split(":");
    const tail = rest.join(":");
    if (kind === "mapped") {
      const custom = customFields.data?.items.find((f) => `custom:${f.id}` === tail);
      return custom
        ? { kind: "mapped", maps: tail as `custom:${number}`, label: { nb: custom.label, en: custom.label } }
        : { kind: "mapped", maps: tail as keyof typeof MAPPED_LABELS };
    }
    if (kind === "consent") {
      const purpose = purposes.data?.items.find((p) => p.key === tail);
      return purpose ? { kind: "consent", purposeKey: purpose.key, purposeName: purpose.name } : null;
    }
    if (kind === "subscription") {
      const type = types.data?.items.find((s) => String(s.id) === tail);
      return type ? { kind: "subscription", subscriptionTypeId: type.id, typeName: type.name } : null;
    }
    if (kind === "free") return { kind: "free", type: tail as FreeFieldType };
    return null;
  }

  return (
    <Paper withBorder p="sm" radius="md" bg="gray.0">
      <Group align="flex-end" gap="sm">
        <Select
          label={t("forms.fields.addLabel")}
          placeholder={t("forms.fields.addPlaceholder")}
          data={data}
          value={choice}
          onChange={setChoice}
          searchable
          maxDropdownHeight={320}
          style={{ flex: 1, minWidth: 220 }}
        />
        <Button
          disabled={!choice}
          onClick={() => {
            const spec = choice ? specOf(choice) : null;
            if (spec) onAdd(spec);
            setChoice(null);
          }}
        >
          {t("forms.fields.add")}
        </Button>
      </Group>
    </Paper>
  );
}

type CardProps = {
  id: number;
  field: FormField;
  index: number;
  count: number;
  language: FormLanguage;
  problems: BuilderProblem[];
  open: boolean;
  readOnly: boolean;
  dragging: boolean;
  onToggle: () => void;
  onMove: (to: number, direction: "up" | "down") => void;
  onRemove: () => void;
  onDragStart: () => void;
  onDragEnd: () => void;
  onDrop: () => void;
  definition: FormDefinition;
  onChange: (definition: FormDefinition) => void;
};

function FieldCard(props: CardProps) {
  const { t } = useI18n();
  const { id, field, index, count, language, problems, open, readOnly, dragging } = props;
  const label = labelIn(field.label, language) || field.key;
  const [over, setOver] = useState(false);
  const editorId = `field-editor-${id}`;

  return (
    <Paper
      withBorder
      p="xs"
      radius="md"
      data-testid="form-field"
      data-key={field.key}
      style={{
        opacity: dragging ? 0.5 : 1,
        borderColor: over
          ? "var(--mantine-color-blue-6)"
          : problems.length
            ? "var(--mantine-color-orange-6)"
            : undefined,
      }}
      onDragOver={(event: DragEvent) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event: DragEvent) => {
        event.preventDefault();
        setOver(false);
        props.onDrop();
      }}
    >
      {/* The move and remove buttons go below the field's name on a narrow screen rather than squeeze it. */}
      <Group justify="space-between" gap="xs">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          {!readOnly && (
            // The mouse's way to reorder; the keyboard's is the move buttons, so the handle is not a Tab stop.
            <div
              draggable
              aria-hidden="true"
              title={t("forms.fields.dragHint")}
              onDragStart={(event) => {
                event.dataTransfer.effectAllowed = "move";
                event.dataTransfer.setData("text/plain", field.key);
                props.onDragStart();
              }}
              onDragEnd={props.onDragEnd}
              style={{ cursor: "grab", padding: "4px 6px", userSelect: "none", fontSize: 18, lineHeight: 1 }}
              data-testid="drag-handle"
            >
              ⠿
            </div>
          )}
          <Stack gap={0} style={{ minWidth: 0 }}>
            <Text fw={500} truncate>
              {label}
              {field.required && (
                <Text span c="red.8" ml={4}>
                  *
                </Text>
              )}
            </Text>
            <Group gap={4}>
              <Badge size="xs" variant="light" style={{ flexShrink: 0 }}>
                {kindLabel(t, field)}
              </Badge>
              <Text size="xs" c="dimmed">
                {field.key}
              </Text>
            </Group>
          </Stack>
        </Group>
        <Group gap={4} wrap="nowrap">
          {!readOnly && (
            <>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={t("forms.fields.moveUp", { label })}
                disabled={index === 0}
                onClick={() => props.onMove(index - 1, "up")}
                data-move={`${id}-up`}
              >
                ↑
              </ActionIcon>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={t("forms.fields.moveDown", { label })}
                disabled={index === count - 1}
                onClick={() => props.onMove(index + 1, "down")}
                data-move={`${id}-down`}
              >
                ↓
              </ActionIcon>
            </>
          )}
          <Button
            variant="default"
            size="xs"
            onClick={props.onToggle}
            aria-expanded={open}
            aria-controls={editorId}
            aria-label={t(open ? "forms.fields.closeNamed" : "forms.fields.editNamed", { label })}
          >
            {open ? t("forms.fields.close") : t("common.edit")}
          </Button>
          {!readOnly && (
            <Button
              variant="light"
              color="red"
              size="xs"
              onClick={props.onRemove}
              aria-label={t("forms.fields.removeNamed", { label })}
            >
              {t("forms.fields.remove")}
            </Button>
          )}
        </Group>
      </Group>
      {problems.map((p) => (
        <Text key={p.code} size="sm" c="orange.9" mt={4} data-testid="field-problem">
          {problemText(t, p)}
        </Text>
      ))}
      {open && (
        <div id={editorId}>
          <FieldEditor {...props} />
        </div>
      )}
    </Paper>
  );
}

function kindLabel(t: Translate, field: FormField): string {
  switch (field.kind) {
    case "mapped":
      return t("forms.kinds.mapped");
    case "consent":
      return t("forms.kinds.consent");
    case "subscription":
      return t("forms.kinds.subscription");
    case "free":
      return t(`forms.fieldTypes.${field.type}`);
  }
}

/** Both languages of one text, side by side. */
function LocalInputs({
  label,
  value,
  onChange,
  multiline = false,
  disabled,
  testId,
}: {
  label: string;
  value: LocalText;
  onChange: (value: LocalText) => void;
  multiline?: boolean;
  disabled: boolean;
  testId?: string;
}) {
  const { t } = useI18n();
  const Input = multiline ? Textarea : TextInput;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" data-testid={testId}>
      <Input
        label={`${label} (${t("languages.nb")})`}
        value={value.nb}
        disabled={disabled}
        onChange={(e) => onChange({ ...value, nb: e.currentTarget.value })}
        {...(multiline ? { autosize: true, minRows: 2 } : {})}
      />
      <Input
        label={`${label} (${t("languages.en")})`}
        value={value.en}
        disabled={disabled}
        onChange={(e) => onChange({ ...value, en: e.currentTarget.value })}
        {...(multiline ? { autosize: true, minRows: 2 } : {})}
      />
    </SimpleGrid>
  );
}

function FieldEditor({ field, index, definition, onChange, readOnly }: CardProps) {
  const { t } = useI18n();
  const set = (patch: Partial<FormField>) => onChange(updateField(definition, index, patch));
  return (
    <Stack gap="xs" mt="sm" data-testid="field-editor">
      <LocalInputs
        label={t("forms.fields.label")}
        value={field.label}
        disabled={readOnly}
        onChange={(label) => onChange(relabelField(definition, index, label))}
      />
      <LocalInputs
        label={t("forms.fields.help")}
        value={field.help ?? { nb: "", en: "" }}
        disabled={readOnly}
        onChange={(help) => set({ help: help.nb || help.en ? help : undefined })}
      />
      {field.kind === "consent" && (
        <LocalInputs
          label={t("forms.fields.consentText")}
          value={field.text}
          multiline
          disabled={readOnly}
          onChange={(text) => set({ text } as Partial<FormField>)}
        />
      )}
      <TextInput
        label={t("forms.fields.key")}
        description={t("forms.fields.keyHint", { key: field.key })}
        value={field.key}
        disabled={readOnly || field.kind !== "free"}
        onChange={(e) => set({ key: e.currentTarget.value })}
      />
      <Group gap="lg">
        <Checkbox
          label={t("forms.fields.required")}
          checked={field.required}
          disabled={readOnly}
          onChange={(e) => set({ required: e.currentTarget.checked })}
        />
        {(field.kind === "mapped" || field.kind === "free") && (
          <Checkbox
            label={t("forms.fields.prefill")}
            description={t("forms.fields.prefillHint")}
            checked={field.prefill}
            disabled={readOnly}
            onChange={(e) => set({ prefill: e.currentTarget.checked } as Partial<FormField>)}
          />
        )}
      </Group>
      {isChoice(field) && field.kind === "free" && (
        <Stack gap={6} data-testid="field-options">
          <Text size="sm" fw={500}>
            {t("forms.fields.options")}
          </Text>
          {(field.options ?? []).map((option, o) => (
            <Group
              // biome-ignore lint/suspicious/noArrayIndexKey: options have no identity but their place
              key={o}
              align="flex-end"
              gap="xs"
              wrap="nowrap"
            >
              <TextInput
                label={t("forms.fields.optionIn", { n: o + 1, language: t("languages.nb") })}
                value={option.nb}
                disabled={readOnly}
                onChange={(e) =>
                  onChange(setOption(definition, index, o, { ...option, nb: e.currentTarget.value }))
                }
                style={{ flex: 1 }}
              />
              <TextInput
                label={t("forms.fields.optionIn", { n: o + 1, language: t("languages.en") })}
                value={option.en}
                disabled={readOnly}
                onChange={(e) =>
                  onChange(setOption(definition, index, o, { ...option, en: e.currentTarget.value }))
                }
                style={{ flex: 1 }}
              />
              {!readOnly && (
                <Button
                  variant="subtle"
                  color="red"
                  onClick={() => onChange(removeOption(definition, index, o))}
                  aria-label={t("forms.fields.removeOption", { n: o + 1 })}
                >
                  ✕
                </Button>
              )}
            </Group>
          ))}
          {!readOnly && (
            <Button
              variant="light"
              size="xs"
              w="fit-content"
              onClick={() => onChange(addOption(definition, index))}
            >
              {t("forms.fields.addOption")}
            </Button>
          )}
        </Stack>
      )}
    </Stack>
  );
}

/** The hosted page's form for the draft, as the server renders it, in a frame that runs no scripts. */
function PreviewPanel({
  definition,
  language,
  name,
}: {
  definition: FormDefinition;
  language: FormLanguage;
  name: string;
}) {
  const { t } = useI18n();
  const api = useApi();
  // Compared as text: a new object with the same content is no change, so typing pauses are what count.
  const [input] = useDebouncedValue(JSON.stringify({ definition, language, name }), 300);
  const preview = useQuery({
    queryKey: ["forms", "preview", input],
    queryFn: () => api.post<FormPreview>("/api/forms/preview", JSON.parse(input)),
    placeholderData: keepPreviousData,
    retry: false,
  });
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        {t("forms.preview.title")}
      </Title>
      {preview.isError && <ErrorAlert error={preview.error} />}
      {preview.data && (
        <iframe
          title={t("forms.preview.frameTitle")}
          srcDoc={preview.data.html}
          // Scripts, forms and popups stay off: only what the page looks like.
          sandbox="allow-same-origin"
          data-testid="form-preview"
          style={{
            width: "100%",
            minHeight: 520,
            border: "1px solid var(--mantine-color-gray-3)",
            borderRadius: 4,
          }}
        />
      )}
    </Paper>
  );
}
