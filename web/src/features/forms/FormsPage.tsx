// Forms: every form with its status, whether its page takes submissions now (and why not), its submissions and
// those waiting for manual processing; "New form" opens the dialog that creates one.
import { Anchor, Button, Paper, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { Link } from "react-router";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { ActiveBadge, FormStatusBadge } from "./FormStatusBadge.tsx";
import { NewFormModal } from "./NewFormModal.tsx";
import { useFormList } from "./queries.ts";

export function FormsPage() {
  const { t, formatNumber, formatDateTime } = useI18n();
  const { can } = useSession();
  const [creating, { open, close }] = useDisclosure(false);
  const [q, setQ] = useState("");
  const query = useFormList();
  const needle = q.trim().toLowerCase();
  const forms = (query.data?.forms ?? []).filter(
    (f) => !needle || f.name.toLowerCase().includes(needle) || f.slug.includes(needle),
  );

  return (
    <>
      <PageHeader
        title={t("forms.title")}
        actions={can("write") && <Button onClick={open}>{t("forms.new")}</Button>}
      />
      <Paper withBorder p="md" radius="md">
        <SearchInput
          value={q}
          onSearch={setQ}
          placeholder={t("forms.searchPlaceholder")}
          w="min(100%, 320px)"
        />
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorAlert error={query.error} />
        ) : forms.length === 0 ? (
          needle ? (
            <EmptyNote title={t("forms.noMatches")} description={t("common.tryOtherSearch")} />
          ) : (
            <EmptyNote title={t("forms.empty")} description={t("forms.emptyHint")} />
          )
        ) : (
          <Table.ScrollContainer
            minWidth={720}
            mt="md"
            scrollAreaProps={{
              viewportProps: { tabIndex: 0, role: "region", "aria-label": t("forms.title") },
            }}
          >
            <Table striped highlightOnHover verticalSpacing="xs" data-testid="forms-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("forms.name")}</Table.Th>
                  <Table.Th w={130}>{t("forms.status")}</Table.Th>
                  <Table.Th w={220}>{t("forms.activeColumn")}</Table.Th>
                  <Table.Th w={120} ta="right">
                    {t("forms.submissionCount")}
                  </Table.Th>
                  <Table.Th w={140} ta="right">
                    {t("forms.awaitingManual")}
                  </Table.Th>
                  <Table.Th w={170}>{t("forms.updatedAt")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {forms.map((f) => (
                  <Table.Tr key={f.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/forms/${f.id}`} fw={500}>
                        {f.name}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        /f/{f.slug}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <FormStatusBadge status={f.status} />
                    </Table.Td>
                    <Table.Td>
                      <ActiveBadge active={f.active} reason={f.active ? null : inactiveReasonOf(f.status)} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Anchor component={Link} to={`/forms/${f.id}/submissions`}>
                        {formatNumber(f.submissions)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right">
                      {f.awaitingManual > 0 ? (
                        <Anchor component={Link} to={`/forms/${f.id}/submissions?status=submitted`} fw={700}>
                          {formatNumber(f.awaitingManual)}
                        </Anchor>
                      ) : (
                        formatNumber(0)
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(f.updatedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      <NewFormModal opened={creating} onClose={close} />
    </>
  );
}

/** The list carries no reason: a draft or unpublished form says so; a published but inactive one ran out. */
function inactiveReasonOf(status: string) {
  if (status === "draft") return "draft" as const;
  if (status === "unpublished") return "unpublished" as const;
  return null;
}
