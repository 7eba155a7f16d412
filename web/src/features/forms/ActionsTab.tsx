// The builder's Actions tab: what processing a submission does besides writing the person (SPEC §9): selections and
// projects to add to, interests to add or remove, subscription types, users to tell, and the form-response mailing.
import { MultiSelect, Paper, Select, SimpleGrid, Stack, TagsInput, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useInterests, useSubscriptionTypes } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { MailingSummary } from "../../api/mailing-types.ts";
import type { Items, Page, Project, User } from "../../api/types.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllSelections } from "../selections/queries.ts";
import { ResponseMailingLinks } from "./ResponseMailingLinks.tsx";
import type { FormActions } from "./types.ts";

type Props = {
  formId: number;
  actions: FormActions;
  onChange: (actions: FormActions) => void;
  readOnly: boolean;
};

const ids = (values: string[]) => values.map(Number);
const strings = (values: number[]) => values.map(String);

export function ActionsTab({ formId, actions, onChange, readOnly }: Props) {
  const { t } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const selections = useAllSelections();
  const projects = useQuery({
    queryKey: ["projects", "all"],
    queryFn: () => api.get<Page<Project>>("/api/projects", { limit: 500 }),
  });
  const interests = useInterests();
  const types = useSubscriptionTypes();
  // Only admins may list users; others see the chosen ones by number.
  const users = useQuery({
    queryKey: ["users"],
    queryFn: () => api.get<Items<User>>("/api/users"),
    enabled: can("manageSettings"),
  });
  const mailings = useQuery({
    queryKey: ["mailings", "list", { type: "form" }],
    queryFn: () =>
      api.get<Page<MailingSummary & { formId?: number | null }>>("/api/mailings", {
        type: "form",
        limit: 100,
      }),
  });
  // Mailings of type "form" answer one form each: those linked to another form are not offered.
  const responseMailings = (mailings.data?.items ?? []).filter(
    (m) => m.formId === undefined || m.formId === null || m.formId === formId,
  );
  const set = (patch: Partial<FormActions>) => onChange({ ...actions, ...patch });
  const interestNames = (interests.data?.items ?? []).map((i) => i.name);
  const userData = users.data
    ? users.data.items.map((u) => ({ value: String(u.id), label: `${u.name} <${u.email}>` }))
    : actions.notifyUserIds.map((id) => ({
        value: String(id),
        label: t("forms.actions.userNumber", { id }),
      }));

  return (
    <Stack gap="lg" maw={860}>
      <Text size="sm" c="dimmed">
        {t("forms.actions.intro")}
      </Text>
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.actions.crm")}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <MultiSelect
            label={t("forms.actions.selections")}
            description={t("forms.actions.selectionsHint")}
            data={(selections.data?.items ?? [])
              .filter((s) => s.kind === "static")
              .map((s) => ({ value: String(s.id), label: s.name }))}
            value={strings(actions.addToSelectionIds)}
            onChange={(v) => set({ addToSelectionIds: ids(v) })}
            disabled={readOnly}
            searchable
            clearable
          />
          <MultiSelect
            label={t("forms.actions.projects")}
            data={(projects.data?.items ?? []).map((p) => ({ value: String(p.id), label: p.name }))}
            value={strings(actions.addToProjectIds)}
            onChange={(v) => set({ addToProjectIds: ids(v) })}
            disabled={readOnly}
            searchable
            clearable
          />
          <TagsInput
            label={t("forms.actions.addInterests")}
            description={t("forms.actions.interestsHint")}
            data={interestNames}
            value={actions.addInterests}
            onChange={(v) => set({ addInterests: v })}
            disabled={readOnly}
            clearable
          />
          <TagsInput
            label={t("forms.actions.removeInterests")}
            data={interestNames}
            value={actions.removeInterests}
            onChange={(v) => set({ removeInterests: v })}
            disabled={readOnly}
            clearable
          />
          <MultiSelect
            label={t("forms.actions.subscribe")}
            description={t("forms.actions.subscribeHint")}
            data={(types.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
            value={strings(actions.subscribeTypeIds)}
            onChange={(v) => set({ subscribeTypeIds: ids(v) })}
            disabled={readOnly}
            clearable
          />
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.actions.messages")}
        </Title>
        <Stack>
          <MultiSelect
            label={t("forms.actions.notify")}
            description={
              can("manageSettings") ? t("forms.actions.notifyHint") : t("forms.actions.notifyAdminOnly")
            }
            data={userData}
            value={strings(actions.notifyUserIds)}
            onChange={(v) => set({ notifyUserIds: ids(v) })}
            disabled={readOnly || !can("manageSettings")}
            searchable
            clearable
          />
          <Select
            label={t("forms.actions.responseMailing")}
            description={t("forms.actions.responseMailingHint")}
            placeholder={
              responseMailings.length === 0
                ? t("forms.actions.noResponseMailings")
                : t("forms.actions.noResponse")
            }
            data={responseMailings.map((m) => ({ value: String(m.id), label: m.name }))}
            value={actions.responseMailingId === null ? null : String(actions.responseMailingId)}
            onChange={(v) => set({ responseMailingId: v ? Number(v) : null })}
            disabled={readOnly}
            clearable
            maw={420}
          />
          {actions.responseMailingId !== null && (
            <ResponseMailingLinks mailingId={actions.responseMailingId} />
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}
