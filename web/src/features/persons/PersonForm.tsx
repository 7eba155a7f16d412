// Create or edit a person; problems the API finds are shown under the field they concern.
import {
  Button,
  Checkbox,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  TextInput,
  Title,
} from "@mantine/core";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { useInterests } from "../../api/catalogue.ts";
import type { Person, PersonInput } from "../../api/types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { CompanyPicker, type PickedCompany } from "../companies/CompanyPicker.tsx";
import { CustomFieldsInput, type CustomValues } from "./CustomFieldsInput.tsx";
import { type EmailRow, EmailsInput, emailRow } from "./EmailsInput.tsx";

const LANGUAGE_CODES = ["nb", "nn", "en", "sv", "da", "de", "fi"] as const;

type Values = {
  firstName: string;
  middleName: string;
  lastName: string;
  title: string;
  emails: EmailRow[];
  mobile: string;
  phone: string;
  street: string;
  postcode: string;
  city: string;
  country: string;
  language: string | null;
  company: PickedCompany | null;
  interests: string[];
  formerEmployee: boolean;
  customFields: CustomValues;
};

function initialValues(person: Person | null): Values {
  const emails = person?.emails.map((e) => emailRow(e.address, e.primary)) ?? [];
  return {
    firstName: person?.firstName ?? "",
    middleName: person?.middleName ?? "",
    lastName: person?.lastName ?? "",
    title: person?.title ?? "",
    emails: emails.length > 0 ? emails : [emailRow("", true)],
    mobile: person?.mobile ?? "",
    phone: person?.phone ?? "",
    street: person?.street ?? "",
    postcode: person?.postcode ?? "",
    city: person?.city ?? "",
    country: person?.country ?? "",
    language: person?.language ?? null,
    company: person?.companyId ? { id: person.companyId, name: person.companyName ?? "" } : null,
    interests: person?.interests ?? [],
    formerEmployee: person?.formerEmployee ?? false,
    customFields: { ...(person?.customFields ?? {}) },
  };
}

/** The request body, and for each e-mail sent the form row it came from (blank rows are left out). */
function toInput(values: Values): { input: PersonInput; emailRows: number[] } {
  const blankToNull = (text: string) => (text.trim() === "" ? null : text.trim());
  const emailRows: number[] = [];
  const emails: { address: string; primary: boolean }[] = [];
  values.emails.forEach((row, index) => {
    if (row.address.trim() === "") return;
    emailRows.push(index);
    emails.push({ address: row.address.trim(), primary: row.primary });
  });
  if (emails.length > 0 && !emails.some((e) => e.primary)) emails[0]!.primary = true;
  return {
    input: {
      firstName: blankToNull(values.firstName),
      middleName: blankToNull(values.middleName),
      lastName: blankToNull(values.lastName),
      title: blankToNull(values.title),
      emails,
      mobile: blankToNull(values.mobile),
      phone: blankToNull(values.phone),
      street: blankToNull(values.street),
      postcode: blankToNull(values.postcode),
      city: blankToNull(values.city),
      country: blankToNull(values.country)?.toUpperCase() ?? null,
      language: values.language,
      companyId: values.company?.id ?? null,
      interests: values.interests,
      formerEmployee: values.formerEmployee,
      customFields: values.customFields,
    },
    emailRows,
  };
}

export function PersonForm({
  person,
  onSubmit,
  onCancel,
}: {
  person: Person | null;
  onSubmit: (input: PersonInput) => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const interests = useInterests();
  const [values, setValues] = useState<Values>(() => initialValues(person));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [emailErrors, setEmailErrors] = useState<(string | undefined)[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Values>(key: K, value: Values[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { input, emailRows } = toInput(values);
    setBusy(true);
    setFailure(null);
    try {
      await onSubmit(input);
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      const perRow: (string | undefined)[] = [];
      emailRows.forEach((row, sent) => {
        perRow[row] = byField[`emails[${sent}].address`] ?? byField[`emails[${sent}]`];
      });
      if (byField.emails && values.emails.length > 0) perRow[0] ??= byField.emails;
      setEmailErrors(perRow);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const text = (
    key:
      | "firstName"
      | "middleName"
      | "lastName"
      | "title"
      | "mobile"
      | "phone"
      | "street"
      | "postcode"
      | "city"
      | "country",
  ) => ({
    value: values[key],
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(key, e.currentTarget.value),
    error: errors[key],
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="lg">
        <ErrorAlert error={failure} />
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            {t("persons.sections.name")}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label={t("persons.fields.firstName")} {...text("firstName")} data-autofocus />
            <TextInput label={t("persons.fields.middleName")} {...text("middleName")} />
            <TextInput label={t("persons.fields.lastName")} {...text("lastName")} />
            <TextInput label={t("persons.fields.title")} {...text("title")} />
            <Select
              label={t("persons.fields.language")}
              value={values.language}
              onChange={(v) => set("language", v)}
              clearable
              data={LANGUAGE_CODES.map((code) => ({ value: code, label: t(`languages.${code}`) }))}
              error={errors.language}
            />
          </SimpleGrid>
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            {t("persons.sections.contact")}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <EmailsInput rows={values.emails} onChange={(rows) => set("emails", rows)} errors={emailErrors} />
            <Stack gap="sm">
              <TextInput label={t("persons.fields.mobile")} type="tel" {...text("mobile")} />
              <TextInput label={t("persons.fields.phone")} type="tel" {...text("phone")} />
            </Stack>
          </SimpleGrid>
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            {t("persons.sections.postal")}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 4 }}>
            <TextInput label={t("persons.fields.street")} {...text("street")} />
            <TextInput label={t("persons.fields.postcode")} {...text("postcode")} />
            <TextInput label={t("persons.fields.city")} {...text("city")} />
            <TextInput
              label={t("persons.fields.country")}
              description={t("persons.countryHelp")}
              maxLength={2}
              {...text("country")}
            />
          </SimpleGrid>
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            {t("persons.sections.work")}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <CompanyPicker
              label={t("persons.fields.company")}
              value={values.company}
              onChange={(company) => set("company", company)}
              error={errors.companyId}
            />
            <TagsInput
              label={t("persons.fields.interests")}
              value={values.interests}
              onChange={(tags) => set("interests", tags)}
              data={(interests.data?.items ?? []).map((i) => i.name)}
              error={errors.interests}
              clearable
            />
          </SimpleGrid>
          <Checkbox
            mt="md"
            label={t("persons.fields.formerEmployee")}
            checked={values.formerEmployee}
            onChange={(e) => set("formerEmployee", e.currentTarget.checked)}
          />
          <CustomFieldsInput
            values={values.customFields}
            onChange={(customFields) => set("customFields", customFields)}
            errors={errors}
          />
        </Paper>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={busy}>
            {t("common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
