// The fields an import column can fill, with their labels, in the order the mapping picker lists them.
import { useMemo } from "react";
import { type MessageKey, useI18n } from "../../i18n/i18n.tsx";

const FIELDS: [string, MessageKey][] = [
  ["email", "imports.fields.email"],
  ["name", "imports.fields.name"],
  ["firstName", "imports.fields.firstName"],
  ["middleName", "imports.fields.middleName"],
  ["lastName", "imports.fields.lastName"],
  ["title", "imports.fields.title"],
  ["mrmrs", "imports.fields.mrmrs"],
  ["mobile", "imports.fields.mobile"],
  ["phone", "imports.fields.phone"],
  ["language", "imports.fields.language"],
  ["interests", "imports.fields.interests"],
  ["company.name", "imports.fields.companyName"],
  ["company.orgNumber", "imports.fields.companyOrgNumber"],
  ["company.street", "imports.fields.companyStreet"],
  ["company.postcode", "imports.fields.companyPostcode"],
  ["company.city", "imports.fields.companyCity"],
  ["company.country", "imports.fields.companyCountry"],
  ["company.domain", "imports.fields.companyDomain"],
];

export function useFieldOptions(): { value: string; label: string }[] {
  const { t } = useI18n();
  return useMemo(() => FIELDS.map(([value, label]) => ({ value, label: t(label) })), [t]);
}
