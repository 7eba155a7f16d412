// Consent purposes: the two built in (e-marketing, sales and service) and those admins add.
import { Badge, Code, Table, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useConsentPurposes } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { AddForm } from "./AddForm.tsx";

export function ConsentPurposesSettings() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useConsentPurposes();
  const [key, setKey] = useState("");
  const [name, setName] = useState("");

  async function add() {
    await api.post("/api/consent-purposes", { key: key.trim(), name: name.trim() });
    await queryClient.invalidateQueries({ queryKey: ["consent-purposes"] });
    setKey("");
    setName("");
    notifySuccess(t("settings.saved"));
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <>
      <Table verticalSpacing="xs" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("settings.purposes.name")}</Table.Th>
            <Table.Th>{t("settings.purposes.key")}</Table.Th>
            <Table.Th w={140} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {query.data.items.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>{p.name}</Table.Td>
              <Table.Td>
                <Code>{p.key}</Code>
              </Table.Td>
              <Table.Td>
                {p.builtin && (
                  <Badge variant="light" color="gray" size="sm">
                    {t("settings.purposes.builtin")}
                  </Badge>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <AddForm
        title={t("settings.purposes.add")}
        submitLabel={t("common.add")}
        onSubmit={add}
        disabled={!key.trim() || !name.trim()}
      >
        {(errors) => (
          <>
            <TextInput
              label={t("settings.purposes.name")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
            />
            <TextInput
              label={t("settings.purposes.key")}
              description={t("settings.keyHint")}
              inputWrapperOrder={["label", "input", "description", "error"]}
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={errors.key}
            />
          </>
        )}
      </AddForm>
    </>
  );
}
