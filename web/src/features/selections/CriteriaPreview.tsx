// Live answer to "who would these criteria give?": a count and the first few names, asked after typing pauses.
import { Anchor, Group, Loader, Paper, Stack, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Criteria, Page, PersonSummary } from "../../api/types.ts";
import { errorText } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";

const SAMPLE = 5;

export function CriteriaPreview({ criteria, complete }: { criteria: Criteria; complete: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const [body] = useDebouncedValue(JSON.stringify({ criteria }), 400);

  const query = useQuery({
    queryKey: ["selections", "preview", body],
    queryFn: () =>
      api.post<Page<PersonSummary>>("/api/selections/preview", JSON.parse(body), { limit: SAMPLE }),
    enabled: complete,
    placeholderData: keepPreviousData,
    retry: false,
  });

  return (
    <Paper withBorder p="md" radius="md" bg="blue.0" data-testid="criteria-preview">
      {!complete ? (
        <Text size="sm" c="dimmed">
          {t("criteria.previewIncomplete")}
        </Text>
      ) : query.isError ? (
        <Text size="sm" c="red">
          {errorText(t, query.error)}
        </Text>
      ) : !query.data ? (
        <Loader size="sm" />
      ) : (
        <Stack gap={4}>
          <Group gap="xs">
            <Text fw={600} data-testid="preview-count">
              {t("criteria.previewCount", { count: query.data.total })}
            </Text>
            {query.isFetching && <Loader size="xs" />}
          </Group>
          {query.data.items.length > 0 && (
            <Text size="sm" c="dimmed">
              {t("criteria.previewSample")}{" "}
              {query.data.items.map((p, i) => (
                <span key={p.id}>
                  {i > 0 && ", "}
                  <Anchor component={Link} to={`/persons/${p.id}`} size="sm">
                    {p.fullName || p.email}
                  </Anchor>
                </span>
              ))}
              {query.data.total > query.data.items.length && " …"}
            </Text>
          )}
        </Stack>
      )}
    </Paper>
  );
}
