// Custom person fields: key, label and type; they appear on the person form and in selection criteria.
import { Code, Select, Table, Text, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCustomFields } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { CustomFieldType } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { AddForm } from "./AddForm.tsx";

const TYPES: CustomFieldType[] = ["text", "number", "date", "boolean"];

export function CustomFieldsSettings() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useCustomFields();
  const [key, setKey] = useState("");
  const [label, setLabel] = useState("");
  const [type, setType] = useState<CustomFieldType>("text");

  async function add() {
    await api.post("/api/custom-fields", { key: key.trim(), label: label.trim(), type });
    await queryClient.invalidateQueries({ queryKey: ["custom-fields"] });
    setKey("");
    setLabel("");
    notifySuccess(t("settings.saved"));
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <>
      {query.data.items.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("settings.fields.none")}
        </Text>
      ) : (
        <Table verticalSpacing="xs" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("settings.fields.label")}</Table.Th>
              <Table.Th>{t("settings.fields.key")}</Table.Th>
              <Table.Th w={160}>{t("settings.fields.type")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {query.data.items.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>{f.label}</Table.Td>
                <Table.Td>
                  <Code>{f.key}</Code>
                </Table.Td>
                <Table.Td>{t(`settings.fields.types.${f.type}`)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <AddForm
        title={t("settings.fields.add")}
        submitLabel={t("common.add")}
        onSubmit={add}
        disabled={!key.trim() || !label.trim()}
      >
        {(errors) => (
          <>
            <TextInput
              label={t("settings.fields.label")}
              value={label}
              onChange={(e) => setLabel(e.currentTarget.value)}
              error={errors.label}
            />
            <TextInput
              label={t("settings.fields.key")}
              description={t("settings.keyHint")}
              inputWrapperOrder={["label", "input", "description", "error"]}
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={errors.key}
            />
            <Select
              w={150}
              label={t("settings.fields.type")}
              value={type}
              allowDeselect={false}
              onChange={(v) => v && setType(v as CustomFieldType)}
              data={TYPES.map((ty) => ({ value: ty, label: t(`settings.fields.types.${ty}`) }))}
              error={errors.type}
            />
          </>
        )}
      </AddForm>
    </>
  );
}
