// The kind of a selection as a coloured label.
import { Badge } from "@mantine/core";
import type { SelectionKind } from "../../api/types.ts";
import { useI18n } from "../../i18n/i18n.tsx";

const COLORS: Record<SelectionKind, string> = { static: "gray", dynamic: "blue", combined: "grape" };

export function KindBadge({ kind }: { kind: SelectionKind }) {
  const { t } = useI18n();
  return (
    <Badge variant="light" color={COLORS[kind]}>
      {t(`selections.kinds.${kind}`)}
    </Badge>
  );
}
