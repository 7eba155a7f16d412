// Step 1, Setup: name, sending account, goal, folder, the linked selection/project, subscription type, sender and
// tracking.
import {
  Alert,
  Fieldset,
  Input,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { FROM_MODES, GOAL_CATEGORIES, TRACK_LINKS } from "../../../../src/mailings/words.ts";
import { useSubscriptionTypes } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { FromMode, GoalCategory, TrackLinks } from "../../api/mailing-types.ts";
import { errorText } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useAllSelections } from "../selections/queries.ts";
import { SmsSenderFields } from "../sms/SmsSenderFields.tsx";
import { isSms, isSmsAccountKind } from "../sms/types.ts";
import { accountName, isBuiltInOutbox } from "./account-name.ts";
import { useAllProjects, useSendingAccounts } from "./queries.ts";
import { orNull, type StepProps } from "./step-props.ts";

const ANY = "any";

export function SetupStep({ mailing, values, change, errors }: StepProps) {
  const { t } = useI18n();
  const accounts = useSendingAccounts();
  const selections = useAllSelections();
  const projects = useAllProjects();
  const types = useSubscriptionTypes();
  // Three long choices side by side are wider than a phone (or a 200 % zoom): stack them there.
  const narrow = useMediaQuery("(max-width: 36em)");
  const sms = isSms(mailing);
  const formResponse = mailing.type === "form";
  const api = useApi();
  // A form response answers one form (GET /api/forms, the forms feature's list).
  const forms = useQuery({
    queryKey: ["forms", "list"],
    queryFn: () => api.get<{ forms: Array<{ id: number; name: string }> }>("/api/forms"),
    enabled: formResponse,
  });

  return (
    <Stack gap="lg">
      <Fieldset legend={t("mailings.setup.general")}>
        <Stack>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TextInput
              label={t("mailings.fields.name")}
              required
              value={values.name}
              onChange={(e) => change({ name: e.currentTarget.value })}
              error={errors.name}
            />
            <Select
              label={t("mailings.fields.sendingAccount")}
              required
              allowDeselect={false}
              value={values.sendingAccountId === null ? null : String(values.sendingAccountId)}
              onChange={(v) => change({ sendingAccountId: v ? Number(v) : null })}
              data={(accounts.data?.items ?? [])
                .filter((a) => isSmsAccountKind(a.kind) === sms)
                .map((a) => ({
                  value: String(a.id),
                  label:
                    a.kind === "outbox"
                      ? isBuiltInOutbox(a)
                        ? accountName(t, a)
                        : `${a.name} (${t("mailings.setup.outboxAccount")})`
                      : sms
                        ? `${a.name} (${t(`settings.sending.kinds.${a.kind as "smpp"}`)})`
                        : `${a.name} (${a.host ?? ""})`,
                }))}
              error={errors.sendingAccountId ?? (accounts.isError ? errorText(t, accounts.error) : undefined)}
            />
          </SimpleGrid>
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

      <Fieldset legend={t("mailings.setup.audience")}>
        <Stack>
          {formResponse && (
            <>
              <Select
                label={t("mailings.fields.form")}
                required
                searchable
                value={values.formId === null ? null : String(values.formId)}
                onChange={(v) => change({ formId: v ? Number(v) : null })}
                data={(forms.data?.forms ?? []).map((f) => ({ value: String(f.id), label: f.name }))}
                error={errors.formId}
                data-testid="mailing-form"
              />
              <Text size="sm" c="dimmed">
                {t("mailings.setup.formHelp")}
              </Text>
            </>
          )}
          <SimpleGrid cols={{ base: 1, md: formResponse ? 1 : 3 }}>
            {!formResponse && (
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
            )}
            {!formResponse && (
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
            )}
            <Select
              label={t("mailings.fields.subscriptionType")}
              allowDeselect={false}
              value={values.subscriptionTypeId === null ? ANY : String(values.subscriptionTypeId)}
              onChange={(v) => change({ subscriptionTypeId: !v || v === ANY ? null : Number(v) })}
              data={[
                { value: ANY, label: t("mailings.setup.anyType") },
                ...(types.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name })),
              ]}
              error={errors.subscriptionTypeId}
            />
          </SimpleGrid>
          <Text size="sm" c="dimmed">
            {values.subscriptionTypeId === null
              ? t("mailings.setup.anyTypeHelp")
              : t("mailings.setup.typeHelp")}
          </Text>
          {values.selectionId !== null && values.projectId !== null && (
            <Alert color="blue" variant="light" data-testid="seed-rule-note">
              {t("mailings.setup.seedRule")}
            </Alert>
          )}
        </Stack>
      </Fieldset>

      {sms ? (
        <SmsSenderFields values={values} change={change} errors={errors} />
      ) : (
        <>
          <Fieldset legend={t("mailings.setup.sender")}>
            <Stack>
              <TextInput
                label={t("mailings.fields.subject")}
                required
                value={values.subject ?? ""}
                onChange={(e) => change({ subject: orNull(e.currentTarget.value) })}
                error={errors.subject}
              />
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <TextInput
                  label={t("mailings.fields.fromName")}
                  value={values.fromName ?? ""}
                  onChange={(e) => change({ fromName: orNull(e.currentTarget.value) })}
                  error={errors.fromName}
                />
                <TextInput
                  label={t("mailings.fields.fromAddress")}
                  required
                  type="email"
                  value={values.fromAddress ?? ""}
                  onChange={(e) => change({ fromAddress: orNull(e.currentTarget.value.trim()) })}
                  error={errors.fromAddress}
                />
                <TextInput
                  label={t("mailings.fields.replyTo")}
                  type="email"
                  value={values.replyTo ?? ""}
                  onChange={(e) => change({ replyTo: orNull(e.currentTarget.value.trim()) })}
                  error={errors.replyTo}
                />
              </SimpleGrid>
              <Input.Wrapper
                label={t("mailings.fields.fromMode")}
                description={t(`mailings.fromModeHelp.${values.fromMode}`)}
                inputWrapperOrder={["label", "input", "description"]}
              >
                <div>
                  <SegmentedControl
                    mt={4}
                    mb={4}
                    aria-label={t("mailings.fields.fromMode")}
                    orientation={narrow ? "vertical" : "horizontal"}
                    fullWidth={narrow}
                    value={values.fromMode}
                    onChange={(v) => change({ fromMode: v as FromMode })}
                    data={FROM_MODES.map((m) => ({
                      value: m,
                      label: t(`mailings.fromModes.${m}`),
                    }))}
                  />
                </div>
              </Input.Wrapper>
            </Stack>
          </Fieldset>

          <Fieldset legend={t("mailings.setup.tracking")}>
            <Stack>
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <Select
                  label={t("mailings.fields.trackLinks")}
                  allowDeselect={false}
                  value={values.trackLinks}
                  onChange={(v) => v && change({ trackLinks: v as TrackLinks })}
                  data={TRACK_LINKS.map((m) => ({
                    value: m,
                    label: t(`mailings.trackLinks.${m}`),
                  }))}
                  error={errors.trackLinks}
                />
                <TextInput
                  label={t("mailings.fields.utmSource")}
                  value={values.utmSource ?? ""}
                  onChange={(e) => change({ utmSource: orNull(e.currentTarget.value) })}
                  error={errors.utmSource}
                />
                <TextInput
                  label={t("mailings.fields.utmCampaign")}
                  value={values.utmCampaign ?? ""}
                  onChange={(e) => change({ utmCampaign: orNull(e.currentTarget.value) })}
                  error={errors.utmCampaign}
                />
              </SimpleGrid>
              <Text size="xs" c="dimmed">
                {t("mailings.setup.utmHelp")}
              </Text>
              <Switch
                label={t("mailings.fields.trackOpens")}
                checked={values.trackOpens}
                onChange={(e) => change({ trackOpens: e.currentTarget.checked })}
              />
            </Stack>
          </Fieldset>
        </>
      )}
    </Stack>
  );
}
