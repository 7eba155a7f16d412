// A form's submissions: filters (status, date range, search) kept in the URL, pages by keyset (`after`), export of
// every submission to CSV or Excel; a row opens the submission.
import { Anchor, Badge, Button, Group, Paper, Select, Table, Text, TextInput } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { withQuery } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { useSession } from "../../app/session.tsx";
import { useListParams } from "../../app/use-list-params.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useForm } from "./queries.ts";
import { SUBMISSION_STATUSES, type SubmissionPage, type SubmissionStatus } from "./types.ts";

const LIMIT = 50;
const FILTERS = ["status", "from", "to", "q"] as const;

const STATUS_COLOURS: Record<SubmissionStatus, string> = {
  submitted: "blue",
  "awaiting-confirmation": "yellow",
  "awaiting-manual": "orange",
  processed: "green",
  rejected: "red",
  expired: "gray",
};

export function SubmissionStatusBadge({ status }: { status: SubmissionStatus }) {
  const { t } = useI18n();
  return (
    <Badge color={STATUS_COLOURS[status]} variant="light" data-testid="submission-status">
      {t(`forms.submissionStatuses.${status}`)}
    </Badge>
  );
}

/** A "YYYY-MM-DD" filter as the first (from) or last (to) moment of that day, in UTC ISO. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  return end ? `${day}T23:59:59.999Z` : `${day}T00:00:00.000Z`;
}

export function SubmissionsPage() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const id = Number(useParams().id);
  const api = useApi();
  const { can } = useSession();
  const form = useForm(id);
  const { values, set } = useListParams(FILTERS);
  // The cursors of the pages before this one: Previous pops, Next pushes the answer's nextAfter.
  const [cursors, setCursors] = useState<Array<string | number>>([]);
  const [filterKey, setFilterKey] = useState(JSON.stringify(values));
  if (filterKey !== JSON.stringify(values)) {
    setFilterKey(JSON.stringify(values));
    setCursors([]);
  }
  const after = cursors[cursors.length - 1];
  const filter = {
    status: values.status,
    from: dayBound(values.from, false),
    to: dayBound(values.to, true),
    q: values.q.trim(),
  };
  const query = useQuery({
    queryKey: ["forms", id, "submissions", filter, after ?? null],
    queryFn: () =>
      api.get<SubmissionPage>(`/api/forms/${id}/submissions`, {
        ...filter,
        after: after ?? undefined,
        limit: LIMIT,
      }),
    placeholderData: keepPreviousData,
  });
  const filtered = FILTERS.some((k) => values[k] !== "");
  const exportHref = (format: "csv" | "xlsx") => withQuery(`/api/forms/${id}/submissions/export`, { format });
  const page = query.data;

  return (
    <>
      <PageHeader
        back={{ to: `/forms/${id}`, label: form.data?.name ?? t("nav.forms") }}
        title={t("forms.submissions.title")}
        subtitle={form.data?.name}
        actions={
          can("export") && (
            <>
              <Button component="a" href={exportHref("csv")} download variant="default">
                {t("forms.submissions.exportCsv")}
              </Button>
              <Button component="a" href={exportHref("xlsx")} download variant="default">
                {t("forms.submissions.exportXlsx")}
              </Button>
            </>
          )
        }
      />
      <Paper withBorder p="md" radius="md">
        <Group mb="md" align="flex-end" gap="sm">
          <SearchInput
            value={values.q}
            onSearch={(q) => set({ q })}
            placeholder={t("forms.submissions.search")}
          />
          <Select
            w={220}
            aria-label={t("forms.submissions.status")}
            placeholder={t("forms.submissions.allStatuses")}
            clearable
            value={values.status || null}
            onChange={(status) => set({ status: status ?? "" })}
            data={SUBMISSION_STATUSES.map((s) => ({ value: s, label: t(`forms.submissionStatuses.${s}`) }))}
          />
          <TextInput
            type="date"
            label={t("forms.submissions.from")}
            value={values.from}
            onChange={(e) => set({ from: e.currentTarget.value })}
          />
          <TextInput
            type="date"
            label={t("forms.submissions.to")}
            value={values.to}
            onChange={(e) => set({ to: e.currentTarget.value })}
          />
        </Group>
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorAlert error={query.error} />
        ) : !page || page.submissions.length === 0 ? (
          filtered ? (
            <EmptyNote title={t("forms.submissions.noMatches")} description={t("common.tryOtherSearch")} />
          ) : (
            <EmptyNote title={t("forms.submissions.empty")} description={t("forms.submissions.emptyHint")} />
          )
        ) : (
          <>
            <Table.ScrollContainer
              minWidth={720}
              scrollAreaProps={{
                viewportProps: { tabIndex: 0, role: "region", "aria-label": t("forms.submissions.title") },
              }}
            >
              <Table striped highlightOnHover verticalSpacing="xs" data-testid="submissions-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={170}>{t("forms.submissions.submittedAt")}</Table.Th>
                    <Table.Th>{t("forms.submissions.who")}</Table.Th>
                    <Table.Th w={190}>{t("forms.submissions.status")}</Table.Th>
                    <Table.Th w={80} ta="right">
                      {t("forms.submissions.version")}
                    </Table.Th>
                    <Table.Th w={170}>{t("forms.submissions.processedAt")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.submissions.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/forms/${id}/submissions/${s.id}`}>
                          {formatDateTime(s.submittedAt)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{s.name || s.email || "—"}</Text>
                        {s.name && s.email && (
                          <Text size="xs" c="dimmed">
                            {s.email}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <SubmissionStatusBadge status={s.status} />
                        {s.rejectReason && (
                          <Text size="xs" c="dimmed">
                            {s.rejectReason}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">{s.version}</Table.Td>
                      <Table.Td>{formatDateTime(s.processedAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Group justify="space-between" mt="md">
              <Text size="sm" c="dimmed" data-testid="submissions-total">
                {t("forms.submissions.total", { total: formatNumber(page.total) })}
              </Text>
              <Group gap="xs">
                <Button
                  variant="default"
                  size="xs"
                  disabled={cursors.length === 0}
                  onClick={() => setCursors((c) => c.slice(0, -1))}
                >
                  {t("common.pages.previous")}
                </Button>
                <Button
                  variant="default"
                  size="xs"
                  disabled={page.nextAfter === null || page.nextAfter === undefined}
                  onClick={() => page.nextAfter != null && setCursors((c) => [...c, page.nextAfter!])}
                >
                  {t("common.pages.next")}
                </Button>
              </Group>
            </Group>
          </>
        )}
      </Paper>
    </>
  );
}
