// Page navigation for lists read by a cursor (keyset pages: page 1,000 is as quick as page 1): "101–200 of 1 234",
// previous and next. Jumping to a page number would need the rows before it, so there are no page buttons.
import { ActionIcon, Group, Text } from "@mantine/core";
import { useI18n } from "../i18n/i18n.tsx";

export function CursorPager({
  total,
  page,
  limit,
  shown,
  hasNext,
  onPrevious,
  onNext,
}: {
  total: number;
  /** 0-based. */
  page: number;
  limit: number;
  /** Rows on this page. */
  shown: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  const { t, formatNumber } = useI18n();
  const from = shown === 0 ? 0 : page * limit + 1;
  const to = page * limit + shown;
  return (
    <Group justify="space-between" mt="sm" wrap="wrap">
      <Text size="sm" c="dimmed" data-testid="pager-summary">
        {t("common.range", { from: formatNumber(from), to: formatNumber(to), total: formatNumber(total) })}
      </Text>
      {(page > 0 || hasNext) && (
        <Group gap={6}>
          <ActionIcon
            variant="default"
            aria-label={t("common.pages.previous")}
            disabled={page === 0}
            onClick={onPrevious}
          >
            ‹
          </ActionIcon>
          <Text size="sm" data-testid="pager-page">
            {formatNumber(page + 1)}
          </Text>
          <ActionIcon
            variant="default"
            aria-label={t("common.pages.next")}
            disabled={!hasNext}
            onClick={onNext}
          >
            ›
          </ActionIcon>
        </Group>
      )}
    </Group>
  );
}
