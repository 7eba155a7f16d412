// The Setup step's sender for an SMS mailing: an alphanumeric ID or a number (replies need a number).
import { Fieldset, TextInput } from "@mantine/core";
import type { MailingFields, MailingInput } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { smsFields, smsPatch } from "./types.ts";

export function SmsSenderFields({
  values,
  change,
  errors,
}: {
  values: MailingFields;
  change: (patch: MailingInput) => void;
  errors: Record<string, string>;
}) {
  const { t } = useI18n();
  const { smsSender } = smsFields(values);
  return (
    <Fieldset legend={t("mailings.setup.sender")}>
      <TextInput
        label={t("sms.fields.sender")}
        description={t("sms.setup.senderHelp")}
        required
        maw={360}
        value={smsSender ?? ""}
        onChange={(e) =>
          change(smsPatch({ smsSender: e.currentTarget.value === "" ? null : e.currentTarget.value }))
        }
        error={errors.smsSender}
      />
    </Fieldset>
  );
}
