// The controls of a form-behaviour criterion: what the person did (submitted, confirmed by double opt-in, had it
// processed), on which form (any form when none is chosen; the list is GET /api/forms), and in which period.
import { NumberInput, Select, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { FormCriterion, FormCriterionStatus } from "../../api/types.ts";
import { type MessageKey, useI18n } from "../../i18n/i18n.tsx";
import { type FormPeriodKind, formPeriodKind, withFormPeriod } from "./criteria.ts";

const ANY = "any";
const STATUSES: FormCriterionStatus[] = ["submitted", "confirmed", "processed"];
const PERIODS: FormPeriodKind[] = ["ever", "lastDays", "between"];

export function FormCriterionControls({
  criterion,
  onChange,
  label,
}: {
  criterion: FormCriterion;
  onChange: (criterion: FormCriterion) => void;
  label: (what: MessageKey) => string;
}) {
  const { t } = useI18n();
  const api = useApi();
  // The same query (and cache entry) as the forms feature's list.
  const forms = useQuery({
    queryKey: ["forms", "list"],
    queryFn: () => api.get<{ forms: Array<{ id: number; name: string }> }>("/api/forms"),
  });
  const listed = forms.data?.forms ?? [];
  const options = [
    { value: ANY, label: t("criteria.anyForm") },
    ...listed.map((f) => ({ value: String(f.id), label: f.name })),
  ];
  if (criterion.formId !== undefined && !listed.some((f) => f.id === criterion.formId))
    options.push({ value: String(criterion.formId), label: `#${criterion.formId}` });
  const period = formPeriodKind(criterion);

  return (
    <>
      <Select
        w={270}
        aria-label={label("criteria.formBehaviour")}
        value={criterion.status}
        allowDeselect={false}
        onChange={(status) => status && onChange({ ...criterion, status: status as FormCriterionStatus })}
        data={STATUSES.map((s) => ({ value: s, label: t(`criteria.formStatuses.${s}`) }))}
      />
      <Select
        w={220}
        aria-label={label("criteria.form")}
        value={criterion.formId === undefined ? ANY : String(criterion.formId)}
        allowDeselect={false}
        searchable={listed.length > 8}
        onChange={(id) => {
          const { formId: _drop, ...rest } = criterion;
          onChange(id && id !== ANY ? { ...rest, formId: Number(id) } : rest);
        }}
        data={options}
      />
      <Select
        w={170}
        aria-label={label("criteria.period")}
        value={period}
        allowDeselect={false}
        onChange={(kind) => kind && onChange(withFormPeriod(criterion, kind as FormPeriodKind))}
        data={PERIODS.map((p) => ({ value: p, label: t(`criteria.periods.${p}`) }))}
      />
      {period === "lastDays" && (
        <NumberInput
          w={110}
          aria-label={label("criteria.lastDays")}
          min={1}
          max={3650}
          allowDecimal={false}
          allowNegative={false}
          value={criterion.lastDays ?? ""}
          onChange={(value) => onChange({ ...criterion, lastDays: typeof value === "number" ? value : 0 })}
        />
      )}
      {period === "between" && (
        <>
          <TextInput
            w={160}
            type="date"
            aria-label={label("criteria.from")}
            value={criterion.from ?? ""}
            max={criterion.to || undefined}
            onChange={(e) => onChange({ ...criterion, from: e.currentTarget.value })}
          />
          <TextInput
            w={160}
            type="date"
            aria-label={label("criteria.to")}
            value={criterion.to ?? ""}
            min={criterion.from || undefined}
            onChange={(e) => onChange({ ...criterion, to: e.currentTarget.value })}
          />
        </>
      )}
    </>
  );
}
