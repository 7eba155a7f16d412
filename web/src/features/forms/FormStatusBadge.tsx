// A form's status (draft, published, unpublished) and whether its hosted page takes submissions now, with why not.
import { Badge, Group } from "@mantine/core";
import { useI18n } from "../../i18n/i18n.tsx";
import type { FormStatus, InactiveReason } from "./types.ts";

const COLOURS: Record<FormStatus, string> = { draft: "gray", published: "green", unpublished: "orange" };

export function FormStatusBadge({ status }: { status: FormStatus }) {
  const { t } = useI18n();
  return (
    <Badge color={COLOURS[status]} variant="light" data-testid="form-status">
      {t(`forms.statuses.${status}`)}
    </Badge>
  );
}

export function ActiveBadge({ active, reason }: { active: boolean; reason?: InactiveReason | null }) {
  const { t } = useI18n();
  return (
    <Group gap={4} wrap="nowrap">
      <Badge color={active ? "teal" : "gray"} variant="outline" data-testid="form-active">
        {active ? t("forms.active") : t("forms.inactive")}
      </Badge>
      {!active && reason && <span>{t(`forms.inactiveReasons.${reason}`)}</span>}
    </Group>
  );
}
