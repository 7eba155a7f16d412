// One criterion in the editor: what kind of test it is, then field, operator and value as that kind needs.
import { ActionIcon, Autocomplete, Group, Select, TextInput } from "@mantine/core";
import {
  useConsentPurposes,
  useCustomFields,
  useInterests,
  useSubscriptionTypes,
} from "../../api/catalogue.ts";
import type { CriteriaField, LeafCriterion, TextOp } from "../../api/types.ts";
import { type MessageKey, type Translate, translateKnown, useI18n } from "../../i18n/i18n.tsx";
import {
  blankCriterion,
  customFieldKind,
  type FieldKind,
  LEAF_TYPES,
  type LeafType,
  needsValue,
  opsFor,
  withField,
} from "./criteria.ts";
import { FormCriterionControls } from "./FormCriterionControls.tsx";
import { MailingCriterionControls } from "./MailingCriterionControls.tsx";

export function CriterionRow({
  criterion,
  fields,
  onChange,
  onRemove,
  index,
}: {
  criterion: LeafCriterion;
  fields: CriteriaField[];
  onChange: (criterion: LeafCriterion) => void;
  onRemove: () => void;
  index: number;
}) {
  const { t } = useI18n();
  const purposes = useConsentPurposes();
  const types = useSubscriptionTypes();
  const label = (what: MessageKey) => `${t(what)} ${index + 1}`;

  function changeType(type: LeafType) {
    if (type === criterion.type) return;
    onChange(
      blankCriterion(type, {
        purpose: purposes.data?.items[0]?.key,
        typeId: types.data?.items[0]?.id,
      }),
    );
  }

  return (
    <Group gap="xs" wrap="nowrap" align="flex-start" data-testid="criterion-row">
      <Select
        w={180}
        aria-label={label("criteria.type")}
        value={criterion.type}
        allowDeselect={false}
        onChange={(v) => v && changeType(v as LeafType)}
        data={LEAF_TYPES.map((type) => ({ value: type, label: t(`criteria.types.${type}`) }))}
      />
      <CriterionControls criterion={criterion} fields={fields} onChange={onChange} label={label} />
      <ActionIcon
        variant="subtle"
        color="gray"
        size="lg"
        aria-label={label("criteria.remove")}
        onClick={onRemove}
      >
        ×
      </ActionIcon>
    </Group>
  );
}

function CriterionControls({
  criterion,
  fields,
  onChange,
  label,
}: {
  criterion: LeafCriterion;
  fields: CriteriaField[];
  onChange: (criterion: LeafCriterion) => void;
  label: (what: MessageKey) => string;
}) {
  const { t } = useI18n();
  const customFields = useCustomFields();
  const interests = useInterests();
  const purposes = useConsentPurposes();
  const types = useSubscriptionTypes();

  switch (criterion.type) {
    case "field": {
      const kind: FieldKind = fields.find((f) => f.field === criterion.field)?.kind ?? "text";
      return (
        <>
          <Select
            w={210}
            aria-label={label("criteria.field")}
            value={criterion.field}
            allowDeselect={false}
            searchable
            onChange={(field) => {
              if (!field) return;
              const nextKind = fields.find((f) => f.field === field)?.kind ?? "text";
              onChange({ ...criterion, field, ...withField(criterion, nextKind) });
            }}
            data={["person", "company"].map((group) => ({
              group: t(`criteria.groups.${group as "person" | "company"}`),
              items: fields
                .filter((f) => f.field.startsWith(`${group}.`))
                .map((f) => ({ value: f.field, label: fieldLabel(t, f.field) })),
            }))}
          />
          <OpAndValue criterion={criterion} kind={kind} onChange={onChange} label={label} />
        </>
      );
    }
    case "customField": {
      const items = customFields.data?.items ?? [];
      const kind = customFieldKind(items.find((f) => f.key === criterion.key)?.type);
      return (
        <>
          <Select
            w={210}
            aria-label={label("criteria.customField")}
            placeholder={items.length === 0 ? t("criteria.noCustomFields") : undefined}
            value={criterion.key || null}
            allowDeselect={false}
            onChange={(key) => {
              if (!key) return;
              const nextKind = customFieldKind(items.find((f) => f.key === key)?.type);
              onChange({ ...criterion, key, ...withField(criterion, nextKind) });
            }}
            data={items.map((f) => ({ value: f.key, label: f.label }))}
          />
          <OpAndValue criterion={criterion} kind={kind} onChange={onChange} label={label} />
        </>
      );
    }
    case "interest":
      return (
        <>
          <Select
            w={170}
            aria-label={label("criteria.op")}
            value={criterion.op}
            allowDeselect={false}
            onChange={(op) => op && onChange({ ...criterion, op: op as "has" | "hasNot" })}
            data={[
              { value: "has", label: t("criteria.interestOps.has") },
              { value: "hasNot", label: t("criteria.interestOps.hasNot") },
            ]}
          />
          <Autocomplete
            w={220}
            aria-label={label("criteria.interest")}
            placeholder={t("criteria.interest")}
            value={criterion.interest}
            onChange={(interest) => onChange({ ...criterion, interest })}
            data={(interests.data?.items ?? []).map((i) => i.name)}
          />
        </>
      );
    case "consent":
      return (
        <>
          <Select
            w={210}
            aria-label={label("criteria.purpose")}
            value={criterion.purpose}
            allowDeselect={false}
            onChange={(purpose) => purpose && onChange({ ...criterion, purpose })}
            data={(purposes.data?.items ?? []).map((p) => ({ value: p.key, label: p.name }))}
          />
          <Select
            w={170}
            aria-label={label("criteria.state")}
            value={criterion.state}
            allowDeselect={false}
            onChange={(state) => state && onChange({ ...criterion, state: state as typeof criterion.state })}
            data={(["active", "withdrawn", "missing"] as const).map((s) => ({
              value: s,
              label: t(`criteria.consentStates.${s}`),
            }))}
          />
        </>
      );
    case "subscription":
      return (
        <>
          <Select
            w={210}
            aria-label={label("criteria.subscriptionType")}
            placeholder={(types.data?.items ?? []).length === 0 ? t("subscriptions.noTypes") : undefined}
            value={criterion.typeId ? String(criterion.typeId) : null}
            allowDeselect={false}
            onChange={(id) => id && onChange({ ...criterion, typeId: Number(id) })}
            data={(types.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
          />
          <Select
            w={170}
            aria-label={label("criteria.status")}
            value={criterion.status}
            allowDeselect={false}
            onChange={(status) =>
              status && onChange({ ...criterion, status: status as typeof criterion.status })
            }
            data={(["subscribed", "unsubscribed", "never"] as const).map((s) => ({
              value: s,
              label: t(`subscriptions.statuses.${s}`),
            }))}
          />
        </>
      );
    case "mailing":
      return <MailingCriterionControls criterion={criterion} onChange={onChange} label={label} />;
    case "form":
      return <FormCriterionControls criterion={criterion} onChange={onChange} label={label} />;
  }
}

function OpAndValue<C extends LeafCriterion & { op: TextOp; value?: string }>({
  criterion,
  kind,
  onChange,
  label,
}: {
  criterion: C;
  kind: FieldKind;
  onChange: (criterion: C) => void;
  label: (what: MessageKey) => string;
}) {
  const { t } = useI18n();
  return (
    <>
      <Select
        w={170}
        aria-label={label("criteria.op")}
        value={criterion.op}
        allowDeselect={false}
        onChange={(op) => {
          if (!op) return;
          const next = op as TextOp;
          onChange({ ...criterion, op: next, value: needsValue(next) ? (criterion.value ?? "") : undefined });
        }}
        data={opsFor(kind).map((op) => ({
          value: op,
          label: t(`criteria.ops.${kind === "date" ? `date_${op}` : op}` as MessageKey),
        }))}
      />
      {kind === "boolean" ? (
        <Select
          w={120}
          aria-label={label("criteria.value")}
          value={criterion.value === "false" ? "false" : "true"}
          allowDeselect={false}
          onChange={(value) => value && onChange({ ...criterion, value })}
          data={[
            { value: "true", label: t("common.yes") },
            { value: "false", label: t("common.no") },
          ]}
        />
      ) : needsValue(criterion.op) ? (
        <TextInput
          w={220}
          type={kind === "date" ? "date" : kind === "number" ? "number" : "text"}
          aria-label={label("criteria.value")}
          placeholder={t("criteria.value")}
          value={criterion.value ?? ""}
          onChange={(e) => onChange({ ...criterion, value: e.currentTarget.value })}
        />
      ) : null}
    </>
  );
}

export function fieldLabel(t: Translate, field: string): string {
  return translateKnown(t, `criteria.fields.${field}`, field);
}
