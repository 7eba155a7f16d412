// Step 3 for an SMS mailing: the plain text with merge fields inserted at the cursor, the live counter (counted with
// the opt-out line, as it is sent), the GSM-7 typography option and the opt-out line.
import { Checkbox, Group, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useRef } from "react";
import { flushSync } from "react-dom";
import { normalizeForGsm7 } from "../../../../src/send/channels/sms/segments.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MergeFieldMenu } from "../content/MergeFieldMenu.tsx";
import type { StepProps } from "../mailings/step-props.ts";
import { SmsCounter } from "./SmsCounter.tsx";
import { DEFAULT_OPT_OUT_LINE, smsFields, smsPatch, withOptOut } from "./types.ts";

export function SmsContentStep({ values, change, errors, editable }: StepProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLTextAreaElement>(null);
  const sms = smsFields(values);
  const text = sms.smsText ?? "";
  const hasType = values.subscriptionTypeId !== null;
  const optOut = hasType ? (sms.smsOptOutLine ?? DEFAULT_OPT_OUT_LINE) : null;
  const counted = withOptOut(sms.smsNormalize ? normalizeForGsm7(text) : text, optOut);

  function insert(tag: string) {
    const element = ref.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? start;
    // Rendered and focused in the same task, so keys typed right after the menu land in the text.
    flushSync(() => change(smsPatch({ smsText: text.slice(0, start) + tag + text.slice(end) })));
    if (!element) return;
    element.focus();
    element.setSelectionRange(start + tag.length, start + tag.length);
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Text size="sm" c="dimmed">
          {t("sms.content.help")}
        </Text>
        <MergeFieldMenu onInsert={insert} disabled={!editable} mailingType="sms" />
      </Group>
      <div>
        <Textarea
          ref={ref}
          label={t("sms.fields.text")}
          required
          autosize
          minRows={5}
          maxRows={16}
          value={text}
          onChange={(e) =>
            change(smsPatch({ smsText: e.currentTarget.value === "" ? null : e.currentTarget.value }))
          }
          error={errors.smsText}
          data-testid="sms-text"
        />
        <Text size="xs" c="dimmed" mt={4}>
          {t("sms.content.mergeHelp")}
        </Text>
      </div>
      <SmsCounter text={counted} />
      <Checkbox
        label={t("sms.fields.normalize")}
        description={t("sms.content.normalizeHelp")}
        checked={sms.smsNormalize}
        onChange={(e) => change(smsPatch({ smsNormalize: e.currentTarget.checked }))}
      />
      <TextInput
        label={t("sms.fields.optOutLine")}
        description={hasType ? t("sms.content.optOutHelp") : t("sms.content.optOutNoType")}
        placeholder={DEFAULT_OPT_OUT_LINE}
        disabled={!hasType}
        value={sms.smsOptOutLine ?? ""}
        onChange={(e) =>
          change(smsPatch({ smsOptOutLine: e.currentTarget.value === "" ? null : e.currentTarget.value }))
        }
        error={errors.smsOptOutLine}
      />
    </Stack>
  );
}
