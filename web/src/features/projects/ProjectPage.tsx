// One project: its members (added and removed by hand) and its activities (linked mailings).
import { Button, Group, Paper, Tabs } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Project } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { LinkedMailings } from "../mailings/LinkedMailings.tsx";
import { NewMailingModal } from "../mailings/NewMailingModal.tsx";
import { MembersPanel } from "../members/MembersPanel.tsx";
import { ProjectFormModal } from "./ProjectFormModal.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

export function ProjectPage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const [editing, { open, close }] = useDisclosure(false);
  const [starting, mailingModal] = useDisclosure(false);
  const owner = `/api/projects/${id}`;
  const query = useQuery({ queryKey: ["projects", "one", id], queryFn: () => api.get<Project>(owner) });

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const project = query.data;

  async function remove() {
    await api.delete(owner);
    await queryClient.invalidateQueries({ queryKey: ["projects"] });
    notifySuccess(t("projects.deleted"));
    navigate("/projects");
  }

  return (
    <>
      <PageHeader
        back={{ to: "/projects", label: t("nav.projects") }}
        title={
          <Group gap="sm">
            {project.name}
            <StatusBadge status={project.status} />
          </Group>
        }
        subtitle={project.description}
        actions={
          can("write") && (
            <>
              <Button onClick={mailingModal.open}>{t("mailings.newFromHere")}</Button>
              <Button variant="default" onClick={open}>
                {t("common.edit")}
              </Button>
              <ConfirmButton
                title={t("projects.deleteTitle")}
                message={t("projects.deleteConfirm", { name: project.name })}
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
        target={{ kind: "project", id: project.id, name: project.name }}
      />
      <Tabs
        value={params.get("tab") ?? "members"}
        onChange={(next) => setParams(next && next !== "members" ? { tab: next } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="members">{t("projects.tabs.members")}</Tabs.Tab>
          <Tabs.Tab value="activities">{t("projects.tabs.activities")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="members">
          <Paper withBorder p="md" radius="md">
            <MembersPanel owner={owner} editable={can("write")} emptyHint={t("projects.emptyMembers")} />
          </Paper>
        </Tabs.Panel>
        <Tabs.Panel value="activities">
          <Paper withBorder p="md" radius="md">
            <LinkedMailings path={`${owner}/activities`} emptyTitle={t("projects.noActivities")} />
          </Paper>
        </Tabs.Panel>
      </Tabs>
      <ProjectFormModal project={project} opened={editing} onClose={close} />
    </>
  );
}
