// General settings: the consent filter (marketing only to people with consent or a subscription), and how long
// tracking details and returned mail are kept (retention, with its daily run), and the web forms' settings (how long
// a double opt-in link is valid, which CRM fields a submission may overwrite).
import { MultiSelect, NumberInput, Stack, Switch, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCustomFields } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { RetentionSchedule, Settings } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MAPPED_LABELS } from "../forms/builder.ts";

export function GeneralSettings() {
  const { t, formatDateTime, language } = useI18n();
  const api = useApi();
  const customFields = useCustomFields();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ["settings"], queryFn: () => api.get<Settings>("/api/settings") });
  const schedule = useQuery({
    queryKey: ["settings", "retention"],
    queryFn: () => api.get<RetentionSchedule>("/api/settings/retention"),
  });

  async function change(patch: Partial<Settings>) {
    try {
      const saved = await api.put<Settings>("/api/settings", patch);
      queryClient.setQueryData(["settings"], saved);
      notifySuccess(t("settings.saved"));
    } catch (error) {
      notifyFailure(error);
    }
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  // A submission never changes a person's e-mail address, so it is not offered.
  const overwritable = [
    ...Object.entries(MAPPED_LABELS)
      .filter(([value]) => value !== "email")
      .map(([value, label]) => ({ value, label: label[language === "nb" ? "nb" : "en"] })),
    ...(customFields.data?.items ?? []).map((f) => ({ value: `custom:${f.id}`, label: f.label })),
  ];
  // A field name the lists above no longer have (a deleted custom field) stays shown, under its name.
  for (const value of query.data.formOverwritableFields)
    if (!overwritable.some((o) => o.value === value)) overwritable.push({ value, label: value });
  return (
    <Stack gap="xs" maw={640}>
      <Switch
        label={t("settings.general.consentFilter")}
        checked={query.data.consentFilter}
        onChange={(e) => change({ consentFilter: e.currentTarget.checked })}
      />
      <Text size="sm" c="dimmed" pl={54}>
        {t("settings.general.consentFilterHelp")}
      </Text>
      <Title order={2} size="h5" mt="md">
        {t("settings.general.retention")}
      </Title>
      <NumberInput
        label={t("settings.general.retentionTrackingDays")}
        min={1}
        max={3650}
        w={320}
        defaultValue={query.data.retentionTrackingDays}
        onBlur={(e) => {
          const days = Number(e.currentTarget.value);
          if (Number.isInteger(days) && days > 0 && days !== query.data.retentionTrackingDays)
            change({ retentionTrackingDays: days });
        }}
      />
      <NumberInput
        label={t("settings.general.retentionReturnedMailDays")}
        min={1}
        max={3650}
        w={320}
        defaultValue={query.data.retentionReturnedMailDays}
        onBlur={(e) => {
          const days = Number(e.currentTarget.value);
          if (Number.isInteger(days) && days > 0 && days !== query.data.retentionReturnedMailDays)
            change({ retentionReturnedMailDays: days });
        }}
      />
      <NumberInput
        label={t("settings.general.retentionAuditDays")}
        description={t("settings.general.retentionAuditDaysHelp")}
        min={180}
        max={3650}
        w={320}
        defaultValue={query.data.retentionAuditDays}
        onBlur={(e) => {
          const days = Number(e.currentTarget.value);
          if (Number.isInteger(days) && days >= 180 && days !== query.data.retentionAuditDays)
            change({ retentionAuditDays: days });
        }}
      />
      <Text size="sm" c="dimmed" data-testid="retention-schedule">
        {schedule.data?.lastRun
          ? t("settings.general.retentionRuns", {
              last: formatDateTime(schedule.data.lastRun),
              next: formatDateTime(schedule.data.nextRun),
            })
          : t("settings.general.retentionNotRun")}
      </Text>
      <Title order={2} size="h5" mt="md">
        {t("settings.general.forms")}
      </Title>
      <NumberInput
        label={t("settings.general.formConfirmHours")}
        description={t("settings.general.formConfirmHoursHelp")}
        min={1}
        max={720}
        w={320}
        defaultValue={query.data.formConfirmHours}
        onBlur={(e) => {
          const hours = Number(e.currentTarget.value);
          if (Number.isInteger(hours) && hours >= 1 && hours <= 720 && hours !== query.data.formConfirmHours)
            change({ formConfirmHours: hours });
        }}
      />
      <MultiSelect
        label={t("settings.general.formOverwritableFields")}
        description={t("settings.general.formOverwritableFieldsHelp")}
        data={overwritable}
        value={query.data.formOverwritableFields}
        onChange={(fields) => change({ formOverwritableFields: fields })}
        searchable
        clearable
      />
    </Stack>
  );
}
