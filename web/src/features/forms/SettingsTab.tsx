// The builder's Settings tab: name, language, address (slug), how submissions are processed, double opt-in and the
// account its confirmation goes through, company creation, the optional proof of work, what the visitor sees after
// submitting, and when the form stops taking submissions.
import {
  Paper,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useI18n } from "../../i18n/i18n.tsx";
import { accountName } from "../mailings/account-name.ts";
import { useSendingAccounts } from "../mailings/queries.ts";
import type { FormDraft } from "./queries.ts";
import { type FormLanguage, PROCESSING_MODES, type ProcessingMode } from "./types.ts";

/** The settings typed as text until saved. */
export type SettingsTexts = {
  afterSubmit: "text" | "redirect";
  /** "YYYY-MM-DDTHH:mm" in local time, or "". */
  deactivateAt: string;
  deactivateAfter: string;
};

type Props = {
  draft: FormDraft;
  onChange: (patch: Partial<FormDraft>) => void;
  texts: SettingsTexts;
  onTexts: (patch: Partial<SettingsTexts>) => void;
  errors: Record<string, string | undefined>;
  readOnly: boolean;
};

export function SettingsTab({ draft, onChange, texts, onTexts, errors, readOnly }: Props) {
  const { t } = useI18n();
  const accounts = useSendingAccounts();
  const emailAccounts = (accounts.data?.items ?? []).filter((a) => a.kind === "smtp" || a.kind === "outbox");

  return (
    <Stack gap="lg" maw={860}>
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.settings.general")}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label={t("forms.name")}
            required
            value={draft.name}
            disabled={readOnly}
            onChange={(e) => onChange({ name: e.currentTarget.value })}
            error={errors.name}
          />
          <Select
            label={t("forms.language")}
            description={t("forms.languageHint")}
            value={draft.language}
            allowDeselect={false}
            disabled={readOnly}
            onChange={(v) => v && onChange({ language: v as FormLanguage })}
            data={[
              { value: "nb", label: t("languages.nb") },
              { value: "en", label: t("languages.en") },
            ]}
          />
          <TextInput
            label={t("forms.settings.slug")}
            description={t("forms.settings.slugHint", { slug: draft.slug || "…" })}
            value={draft.slug}
            disabled={readOnly}
            onChange={(e) => onChange({ slug: e.currentTarget.value })}
            error={errors.slug}
          />
        </SimpleGrid>
      </Paper>

      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.settings.processing")}
        </Title>
        <Radio.Group
          label={t("forms.settings.processingMode")}
          value={draft.processingMode}
          onChange={(v) => onChange({ processingMode: v as ProcessingMode })}
          error={errors.processingMode}
        >
          <Stack gap="sm" mt="xs">
            {PROCESSING_MODES.map((mode) => (
              <Radio
                key={mode}
                value={mode}
                disabled={readOnly}
                label={t(`forms.processingModes.${mode}`)}
                description={t(`forms.processingModeHints.${mode}`)}
              />
            ))}
          </Stack>
        </Radio.Group>
        <Stack gap="sm" mt="md">
          <Switch
            label={t("forms.settings.doubleOptIn")}
            description={t("forms.settings.doubleOptInHint")}
            checked={draft.doubleOptIn}
            disabled={readOnly}
            onChange={(e) => onChange({ doubleOptIn: e.currentTarget.checked })}
          />
          {draft.doubleOptIn && (
            <Select
              label={t("forms.settings.sendingAccount")}
              description={t("forms.settings.sendingAccountHint")}
              placeholder={t("forms.settings.defaultAccount")}
              clearable
              disabled={readOnly}
              value={draft.sendingAccountId === null ? null : String(draft.sendingAccountId)}
              onChange={(v) => onChange({ sendingAccountId: v ? Number(v) : null })}
              data={emailAccounts.map((a) => ({ value: String(a.id), label: accountName(t, a) }))}
              error={errors.sendingAccountId}
              maw={420}
            />
          )}
          <Switch
            label={t("forms.settings.allowCompanyCreate")}
            description={t("forms.settings.allowCompanyCreateHint")}
            checked={draft.allowCompanyCreate}
            disabled={readOnly}
            onChange={(e) => onChange({ allowCompanyCreate: e.currentTarget.checked })}
          />
        </Stack>
      </Paper>

      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.settings.protection")}
        </Title>
        <Switch
          label={t("forms.settings.proofOfWork")}
          description={t("forms.settings.proofOfWorkHint")}
          checked={draft.proofOfWork}
          disabled={readOnly}
          onChange={(e) => onChange({ proofOfWork: e.currentTarget.checked })}
        />
      </Paper>

      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.settings.afterSubmit")}
        </Title>
        <Radio.Group
          label={t("forms.settings.afterSubmitLabel")}
          value={texts.afterSubmit}
          onChange={(v) => onTexts({ afterSubmit: v as SettingsTexts["afterSubmit"] })}
        >
          <Stack gap="xs" mt="xs">
            <Radio value="text" label={t("forms.settings.thankYou")} disabled={readOnly} />
            <Radio value="redirect" label={t("forms.settings.redirect")} disabled={readOnly} />
          </Stack>
        </Radio.Group>
        {texts.afterSubmit === "text" ? (
          <Textarea
            mt="sm"
            label={t("forms.settings.thankYouText")}
            description={t("forms.settings.thankYouTextHint")}
            autosize
            minRows={3}
            disabled={readOnly}
            value={draft.thankYouText ?? ""}
            onChange={(e) => onChange({ thankYouText: e.currentTarget.value })}
            error={errors.thankYouText}
          />
        ) : (
          <TextInput
            mt="sm"
            type="url"
            label={t("forms.settings.redirectUrl")}
            description={t("forms.settings.redirectUrlHint")}
            placeholder="https://"
            disabled={readOnly}
            value={draft.redirectUrl ?? ""}
            onChange={(e) => onChange({ redirectUrl: e.currentTarget.value })}
            error={errors.redirectUrl}
          />
        )}
      </Paper>

      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.settings.deactivation")}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t("forms.settings.deactivationHint")}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            type="datetime-local"
            label={t("forms.settings.deactivateAt")}
            disabled={readOnly}
            value={texts.deactivateAt}
            onChange={(e) => onTexts({ deactivateAt: e.currentTarget.value })}
            error={errors.deactivateAt}
          />
          <TextInput
            inputMode="numeric"
            label={t("forms.settings.deactivateAfter")}
            description={t("forms.settings.deactivateAfterHint")}
            disabled={readOnly}
            value={texts.deactivateAfter}
            onChange={(e) => onTexts({ deactivateAfter: e.currentTarget.value })}
            error={errors.deactivateAfter}
          />
        </SimpleGrid>
      </Paper>
    </Stack>
  );
}

/** An ISO time as the value of a datetime-local input (local time, to the minute). */
export function localInputValue(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local input's value as ISO (UTC), or null when empty or not a time. */
export function isoFromLocalInput(value: string): string | null {
  if (!value.trim()) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
