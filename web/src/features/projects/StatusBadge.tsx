// A project's status as a coloured label.
import { Badge } from "@mantine/core";
import type { ProjectStatus } from "../../api/types.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export const PROJECT_STATUSES: ProjectStatus[] = ["planned", "in-progress", "completed", "stopped"];
const COLORS: Record<ProjectStatus, string> = {
  planned: "gray",
  "in-progress": "blue",
  completed: "green",
  stopped: "red",
};

export function StatusBadge({ status }: { status: ProjectStatus }) {
  const { t } = useI18n();
  return (
    <Badge variant="light" color={COLORS[status]}>
      {t(`projects.statuses.${status}`)}
    </Badge>
  );
}
