// One selection: its members, its definition (criteria or combination) and the mailings linked to it.
import { Button, Group, Paper, Tabs, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { ExportButtons } from "../imports/ExportButtons.tsx";
import { LinkedMailings } from "../mailings/LinkedMailings.tsx";
import { NewMailingModal } from "../mailings/NewMailingModal.tsx";
import { MembersPanel } from "../members/MembersPanel.tsx";
import { CombineEditor } from "./CombineEditor.tsx";
import { CriteriaEditor } from "./CriteriaEditor.tsx";
import { EditSelectionModal } from "./EditSelectionModal.tsx";
import { KindBadge } from "./KindBadge.tsx";
import { useSelection } from "./queries.ts";

export function SelectionPage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const [editing, { open, close }] = useDisclosure(false);
  const [starting, mailingModal] = useDisclosure(false);
  const query = useSelection(id);

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const selection = query.data;
  const owner = `/api/selections/${id}`;
  const definitionTab =
    selection.kind === "dynamic" ? "criteria" : selection.kind === "combined" ? "combine" : null;
  const tab = params.get("tab") ?? "members";

  async function remove() {
    await api.delete(owner);
    await queryClient.invalidateQueries({ queryKey: ["selections"] });
    notifySuccess(t("selections.deleted"));
    navigate("/selections");
  }

  return (
    <>
      <PageHeader
        back={{ to: "/selections", label: t("nav.selections") }}
        title={
          <Group gap="sm">
            {selection.name}
            <KindBadge kind={selection.kind} />
          </Group>
        }
        subtitle={selection.description}
        actions={
          can("write") && (
            <>
              <Button onClick={mailingModal.open}>{t("mailings.newFromHere")}</Button>
              <Button variant="default" onClick={open}>
                {t("common.edit")}
              </Button>
              <ConfirmButton
                title={t("selections.deleteTitle")}
                message={t("selections.deleteConfirm", { name: selection.name })}
                confirmLabel={t("common.delete")}
                onConfirm={remove}
              >
                {t("common.delete")}
              </ConfirmButton>
            </>
          )
        }
      />
      <NewMailingModal
        opened={starting}
        onClose={mailingModal.close}
        target={{ kind: "selection", id: selection.id, name: selection.name }}
      />
      <Tabs
        value={tab}
        onChange={(next) => setParams(next && next !== "members" ? { tab: next } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="members">{t("selections.tabs.members")}</Tabs.Tab>
          {definitionTab === "criteria" && (
            <Tabs.Tab value="criteria">{t("selections.tabs.criteria")}</Tabs.Tab>
          )}
          {definitionTab === "combine" && <Tabs.Tab value="combine">{t("selections.tabs.combine")}</Tabs.Tab>}
          <Tabs.Tab value="mailings">{t("selections.tabs.mailings")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="members">
          <Paper withBorder p="md" radius="md">
            <Group justify="space-between" align="flex-start" mb="sm" gap="sm">
              <Text size="sm" c="dimmed">
                {selection.kind !== "static" && t("selections.evaluatedNow")}
              </Text>
              <Group gap="sm">
                <ExportButtons selectionId={selection.id} />
              </Group>
            </Group>
            <MembersPanel
              owner={owner}
              editable={selection.kind === "static" && can("write")}
              emptyHint={t(`selections.emptyMembers.${selection.kind}`)}
            />
          </Paper>
        </Tabs.Panel>
        {definitionTab === "criteria" && (
          <Tabs.Panel value="criteria">
            <CriteriaEditor key={selection.updatedAt} selection={selection} editable={can("write")} />
          </Tabs.Panel>
        )}
        {definitionTab === "combine" && (
          <Tabs.Panel value="combine">
            <CombineEditor key={selection.updatedAt} selection={selection} editable={can("write")} />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="mailings">
          <Paper withBorder p="md" radius="md">
            <LinkedMailings path={`${owner}/mailings`} emptyTitle={t("selections.noMailings")} />
          </Paper>
        </Tabs.Panel>
      </Tabs>
      <EditSelectionModal selection={selection} opened={editing} onClose={close} />
    </>
  );
}
