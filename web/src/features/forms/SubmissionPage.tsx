// One submission: its answers under the field labels of the version it answered, its status and times, and for one
// waiting for manual processing the suggested persons with "Link to this person", "Create new person" and "Reject".
import {
  Anchor,
  Button,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import { DetailList } from "../../app/DetailList.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { type Translate, useI18n } from "../../i18n/i18n.tsx";
import { useForm } from "./queries.ts";
import { SubmissionStatusBadge } from "./SubmissionsPage.tsx";
import type { FormField, SubmissionDetail } from "./types.ts";

function answerText(t: Translate, field: FormField, value: string | string[] | undefined): string {
  if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) return "—";
  if (field.kind === "consent" || field.kind === "subscription")
    return value === "on" ? t("common.yes") : t("common.no");
  return Array.isArray(value) ? value.join(", ") : value;
}

export function SubmissionPage() {
  const { t, language, formatDateTime } = useI18n();
  const params = useParams();
  const formId = Number(params.id);
  const sid = Number(params.sid);
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const form = useForm(formId);
  const path = `/api/forms/${formId}/submissions/${sid}`;
  const key = ["forms", formId, "submission", sid];
  const query = useQuery({ queryKey: key, queryFn: () => api.get<SubmissionDetail>(path) });
  const [busy, setBusy] = useState<string | null>(null);
  const [rejecting, rejectModal] = useDisclosure(false);
  const [reason, setReason] = useState("");

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const submission = query.data;
  // Manual processing is offered for a submission not yet processed, rejected or waiting for its confirmation.
  const manual =
    (submission.status === "submitted" || submission.status === "awaiting-manual") && can("write");

  async function act(which: string, action: string, body?: unknown, done?: string) {
    setBusy(which);
    try {
      const next = await api.post<SubmissionDetail>(`${path}/${action}`, body);
      queryClient.setQueryData(key, next);
      await queryClient.invalidateQueries({ queryKey: ["forms", formId, "submissions"] });
      await queryClient.invalidateQueries({ queryKey: ["forms", "list"] });
      if (done) notifySuccess(done);
      return true;
    } catch (error) {
      notifyFailure(error);
      return false;
    } finally {
      setBusy(null);
    }
  }

  async function reject(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) return;
    if (await act("reject", "reject", { reason: reason.trim() }, t("forms.submission.rejected"))) {
      rejectModal.close();
      setReason("");
    }
  }

  const answered = new Set(submission.fields.map((f) => f.key));
  const extra = Object.entries(submission.answers).filter(([k]) => !answered.has(k));

  return (
    <>
      <PageHeader
        back={{ to: `/forms/${formId}/submissions`, label: t("forms.submissions.title") }}
        title={t("forms.submission.title", { id: submission.id })}
        subtitle={form.data?.name}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            {t("forms.submission.answers")}
          </Title>
          <DetailList
            testId="submission-answers"
            labelWidth={200}
            rows={[
              ...submission.fields.map((field) => ({
                label: field.label[language] || field.label.nb || field.key,
                value: answerText(t, field, submission.answers[field.key]),
              })),
              ...extra.map(([k, v]) => ({ label: k, value: Array.isArray(v) ? v.join(", ") : v })),
            ]}
          />
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            {t("forms.submission.about")}
          </Title>
          <DetailList
            testId="submission-details"
            rows={[
              {
                label: t("forms.submissions.status"),
                value: <SubmissionStatusBadge status={submission.status} />,
              },
              { label: t("forms.submission.rejectReason"), value: submission.rejectReason ?? "—" },
              { label: t("forms.submissions.version"), value: String(submission.version) },
              { label: t("forms.submissions.submittedAt"), value: formatDateTime(submission.submittedAt) },
              { label: t("forms.submission.confirmedAt"), value: formatDateTime(submission.confirmedAt) },
              { label: t("forms.submissions.processedAt"), value: formatDateTime(submission.processedAt) },
              {
                label: t("forms.submission.person"),
                value: submission.personId ? (
                  <Anchor component={Link} to={`/persons/${submission.personId}`}>
                    {t("forms.submission.openPerson")}
                  </Anchor>
                ) : (
                  "—"
                ),
              },
              {
                label: t("forms.submission.company"),
                value: submission.companyId ? (
                  <Anchor component={Link} to={`/companies/${submission.companyId}`}>
                    {t("forms.submission.openCompany")}
                  </Anchor>
                ) : (
                  "—"
                ),
              },
              { label: t("forms.submission.ip"), value: submission.ip ?? "—" },
              { label: t("forms.submission.userAgent"), value: submission.userAgent ?? "—" },
            ]}
          />
        </Paper>
      </SimpleGrid>
      {manual && (
        <Paper withBorder p="md" radius="md" mt="lg" data-testid="manual-processing">
          <Title order={2} size="h4" mb="xs">
            {t("forms.submission.manualTitle")}
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            {t("forms.submission.manualHint")}
          </Text>
          {submission.suggestions.length === 0 ? (
            <Text size="sm" mb="sm">
              {t("forms.submission.noSuggestions")}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="xs" data-testid="suggestions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("forms.submission.suggestedPerson")}</Table.Th>
                    <Table.Th>{t("forms.submission.suggestedCompany")}</Table.Th>
                    <Table.Th>{t("forms.submission.why")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {submission.suggestions.map((s) => (
                    <Table.Tr key={s.personId}>
                      <Table.Td>
                        <Anchor component={Link} to={`/persons/${s.personId}`}>
                          {s.name}
                        </Anchor>
                        {s.email && (
                          <Text size="xs" c="dimmed">
                            {s.email}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{s.companyName ?? "—"}</Table.Td>
                      <Table.Td>{s.reason}</Table.Td>
                      <Table.Td ta="right">
                        <Button
                          size="xs"
                          loading={busy === `link-${s.personId}`}
                          aria-label={t("forms.submission.linkNamed", { name: s.name })}
                          onClick={() =>
                            act(
                              `link-${s.personId}`,
                              "link",
                              { personId: s.personId },
                              t("forms.submission.linked"),
                            )
                          }
                        >
                          {t("forms.submission.link")}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <Group mt="md">
            <Button
              variant="default"
              loading={busy === "create"}
              onClick={() => act("create", "create", undefined, t("forms.submission.createdPerson"))}
            >
              {t("forms.submission.create")}
            </Button>
            <Button color="red" variant="light" onClick={rejectModal.open}>
              {t("forms.submission.reject")}
            </Button>
          </Group>
        </Paper>
      )}
      <Modal opened={rejecting} onClose={rejectModal.close} title={t("forms.submission.rejectTitle")}>
        <form onSubmit={reject} noValidate>
          <Stack>
            <TextInput
              label={t("forms.submission.rejectReason")}
              required
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={rejectModal.close}>
                {t("common.cancel")}
              </Button>
              <Button type="submit" color="red" loading={busy === "reject"} disabled={!reason.trim()}>
                {t("forms.submission.reject")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
