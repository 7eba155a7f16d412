// The library of registered links: named URLs whose clicks add up across every mailing that uses them. Adding one
// also counts the mailings already sent with that URL.
import { Anchor, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { AddForm } from "../settings/AddForm.tsx";
import type { RegisteredLink } from "./types.ts";

const KEY = ["registered-links"];

function AddRegisteredLink() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState("");
  const [name, setName] = useState("");
  return (
    <AddForm
      title={t("followUp.registered.add")}
      submitLabel={t("common.add")}
      disabled={!url.trim() || !name.trim()}
      onSubmit={async () => {
        await api.post("/api/registered-links", { url: url.trim(), name: name.trim() });
        await queryClient.invalidateQueries({ queryKey: KEY });
        notifySuccess(t("followUp.registered.added", { name: name.trim() }));
        setUrl("");
        setName("");
      }}
    >
      {(errors) => (
        <>
          <TextInput
            label={t("followUp.registered.name")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            w={240}
          />
          <TextInput
            label={t("followUp.registered.url")}
            placeholder="https://"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={errors.url}
            w={420}
          />
        </>
      )}
    </AddForm>
  );
}

export function RegisteredLinksPage() {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const query = useQuery({
    queryKey: KEY,
    queryFn: () => api.get<RegisteredLink[]>("/api/registered-links"),
  });

  async function remove(link: RegisteredLink) {
    await api.delete(`/api/registered-links/${link.id}`);
    await queryClient.invalidateQueries({ queryKey: KEY });
    notifySuccess(t("followUp.registered.deleted", { name: link.name }));
  }

  return (
    <>
      <PageHeader
        back={{ to: "/mailings", label: t("nav.mailings") }}
        title={t("followUp.registered.title")}
        subtitle={t("followUp.registered.intro")}
      />
      <Paper withBorder p="md" radius="md">
        <Stack gap="md">
          {query.isPending ? (
            <Loading />
          ) : query.isError ? (
            <ErrorAlert error={query.error} />
          ) : query.data.length === 0 ? (
            <EmptyNote
              title={t("followUp.registered.none")}
              description={t("followUp.registered.noneHint")}
            />
          ) : (
            <Table verticalSpacing={6} striped data-testid="registered-links-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("followUp.registered.name")}</Table.Th>
                  <Table.Th>{t("followUp.registered.url")}</Table.Th>
                  <Table.Th ta="right">{t("followUp.registered.mailings")}</Table.Th>
                  <Table.Th ta="right">{t("followUp.links.clicks")}</Table.Th>
                  <Table.Th ta="right">{t("followUp.links.uniqueClickers")}</Table.Th>
                  <Table.Th w={100} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {query.data.map((link) => (
                  <Table.Tr key={link.id}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {link.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Anchor
                        href={link.url}
                        target="_blank"
                        rel="noreferrer"
                        size="sm"
                        style={{ wordBreak: "break-all" }}
                      >
                        {link.url}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right">{formatNumber(link.mailings)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(link.clicks)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(link.uniqueClickers)}</Table.Td>
                    <Table.Td>
                      {can("write") && (
                        <ConfirmButton
                          size="compact-sm"
                          title={t("followUp.registered.deleteTitle")}
                          message={t("followUp.registered.deleteConfirm", { name: link.name })}
                          confirmLabel={t("common.delete")}
                          onConfirm={() => remove(link)}
                        >
                          {t("common.delete")}
                        </ConfirmButton>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {can("write") && <AddRegisteredLink />}
        </Stack>
      </Paper>
    </>
  );
}
