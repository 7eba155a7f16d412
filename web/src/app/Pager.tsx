// Page navigation under a table: "1–50 of 1 234" and page buttons.
import { Group, Pagination, Text } from "@mantine/core";
import { useI18n } from "../i18n/i18n.tsx";

export const PAGE_SIZE = 50;

export function Pager({
  total,
  offset,
  limit = PAGE_SIZE,
  onOffset,
}: {
  total: number;
  offset: number;
  limit?: number;
  onOffset: (offset: number) => void;
}) {
  const { t, formatNumber } = useI18n();
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <Group justify="space-between" mt="sm" wrap="wrap">
      <Text size="sm" c="dimmed" data-testid="pager-summary">
        {t("common.range", { from: formatNumber(from), to: formatNumber(to), total: formatNumber(total) })}
      </Text>
      {pages > 1 && (
        <Pagination size="sm" total={pages} value={page} onChange={(next) => onOffset((next - 1) * limit)} />
      )}
    </Group>
  );
}
