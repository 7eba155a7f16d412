// The reason an address is blocked (or a delivery came back), and the reply that said so.
import { Badge, Code, Stack, Text } from "@mantine/core";
import { useI18n } from "../../i18n/i18n.tsx";
import type { BlockedReason } from "./types.ts";

const COLOURS: Record<BlockedReason | "hard" | "soft" | "complaint", string> = {
  hard: "red",
  soft: "orange",
  complaint: "grape",
  unsubscribed: "gray",
  other: "gray",
};

export function ReasonBadge({ reason }: { reason: BlockedReason }) {
  const { t } = useI18n();
  return (
    <Badge color={COLOURS[reason]} variant="light">
      {t(`bounces.reasons.${reason}`)}
    </Badge>
  );
}

export function Reply({ statusCode, diagnostic }: { statusCode: string | null; diagnostic: string | null }) {
  if (!statusCode && !diagnostic) return null;
  return (
    <Stack gap={2}>
      {statusCode && (
        <Text size="sm" fw={600}>
          {statusCode}
        </Text>
      )}
      {diagnostic && (
        <Code block style={{ whiteSpace: "pre-wrap", maxWidth: 420 }}>
          {diagnostic}
        </Code>
      )}
    </Stack>
  );
}
