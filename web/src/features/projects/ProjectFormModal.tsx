// Creates a project, or changes one's name, status and description.
import { Button, Group, Modal, Select, Stack, Textarea, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Project, ProjectStatus } from "../../api/types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { PROJECT_STATUSES } from "./StatusBadge.tsx";

export function ProjectFormModal({
  project,
  opened,
  onClose,
}: {
  project: Project | null;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [status, setStatus] = useState<ProjectStatus>("planned");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setName(project?.name ?? "");
    setStatus(project?.status ?? "planned");
    setDescription(project?.description ?? "");
    setErrors({});
    setFailure(null);
  }, [opened, project]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const body = { name: name.trim(), status, description: description.trim() || null };
    try {
      const saved = project
        ? await api.patch<Project>(`/api/projects/${project.id}`, body)
        : await api.post<Project>("/api/projects", body);
      await queryClient.invalidateQueries({ queryKey: ["projects"] });
      notifySuccess(t("projects.saved"));
      onClose();
      if (!project) navigate(`/projects/${saved.id}`);
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={project ? t("projects.editTitle") : t("projects.newTitle")}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={failure} />
          <TextInput
            label={t("projects.name")}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            data-autofocus
          />
          <Select
            label={t("projects.status")}
            value={status}
            allowDeselect={false}
            onChange={(v) => v && setStatus(v as ProjectStatus)}
            data={PROJECT_STATUSES.map((s) => ({ value: s, label: t(`projects.statuses.${s}`) }))}
            error={errors.status}
          />
          <Textarea
            label={t("projects.description")}
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={errors.description}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={name.trim() === ""}>
              {project ? t("common.save") : t("projects.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
