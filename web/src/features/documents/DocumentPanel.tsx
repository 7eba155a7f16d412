// A document mailing after Send: the generation's progress (polled every second while it runs), then the document
// (letters, pages, size, when) with its download, why it is a DOCX or why it stopped, the address warnings, who was
// left out, "edit and generate again", and each letter's pages in the PDF.
import { Alert, Badge, Button, Group, Paper, Progress, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Delivery, Mailing, Recipient } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { DetailList } from "../../app/DetailList.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure } from "../../app/notify.ts";
import { Pager } from "../../app/Pager.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingKey, mailingPartsKey, useMailingChanged } from "../mailings/queries.ts";
import { useReasonText } from "../recipients/ReasonBadge.tsx";
import type { DocumentState } from "./types.ts";

const LIMIT = 100;

export function DocumentPanel({ mailing }: { mailing: Mailing }) {
  const { t, formatNumber, formatDateTime } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const changed = useMailingChanged();
  const { can } = useSession();
  const reasonText = useReasonText();
  const [busy, setBusy] = useState(false);
  const base = `/api/mailings/${mailing.id}`;
  const state = useQuery({
    queryKey: [...mailingPartsKey(mailing.id), "document"],
    queryFn: () => api.get<DocumentState | null>(`${base}/document`),
    refetchInterval: (query) =>
      query.state.data?.status === "generating" || mailing.status === "sending" ? 1000 : false,
  });
  const doc = state.data ?? null;

  // The worker finishes the mailing when the document is ready: read the mailing again then.
  const docStatus = doc?.status;
  useEffect(() => {
    if (docStatus && docStatus !== "generating" && mailing.status === "sending")
      void queryClient.invalidateQueries({ queryKey: mailingKey(mailing.id) });
  }, [docStatus, mailing.status, mailing.id, queryClient]);

  async function editAgain() {
    setBusy(true);
    try {
      await changed(await api.post<Mailing>(`${base}/edit-again`));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const size = (bytes: number | null) =>
    bytes === null
      ? null
      : bytes < 1024 * 1024
        ? `${formatNumber(Math.round(bytes / 102.4) / 10)} kB`
        : `${formatNumber(Math.round(bytes / (1024 * 102.4)) / 10)} MB`;
  const shortened = doc?.warnings.length ?? 0;
  const blocked = Object.entries(mailing.recipients.blocked).filter(([, n]) => n > 0);

  if (state.isPending) return <Loading />;
  if (state.isError) return <ErrorAlert error={state.error} />;

  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md" data-testid="document-state">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <Title order={2} size="h4">
            {t(`documents.state.${doc?.status ?? "none"}`)}
          </Title>
          <Group gap="sm">
            {doc?.status === "ready" && (
              <Button component="a" href={`${base}/document/file`} download data-testid="download-document">
                {t("documents.state.download")}
              </Button>
            )}
            {can("send") && ["finished", "paused", "cancelled"].includes(mailing.status) && (
              <Button variant="default" loading={busy} onClick={editAgain}>
                {t("documents.state.editAgain")}
              </Button>
            )}
          </Group>
        </Group>
        {doc && doc.status === "generating" && (
          <Stack gap={4}>
            <Progress
              value={doc.letters > 0 ? (doc.lettersDone / doc.letters) * 100 : 0}
              aria-label={t("documents.state.progressLabel")}
              animated
            />
            <Text size="sm" c="dimmed">
              {t("documents.state.progress", {
                done: formatNumber(doc.lettersDone),
                total: formatNumber(doc.letters),
              })}
            </Text>
          </Stack>
        )}
        {doc && doc.status !== "generating" && (
          <DetailList
            testId="document-details"
            rows={[
              { label: t("documents.state.letters"), value: formatNumber(doc.letters) },
              {
                label: t("documents.state.pages"),
                value: doc.pages === null ? null : formatNumber(doc.pages),
              },
              { label: t("documents.state.format"), value: doc.format?.toUpperCase() },
              { label: t("documents.state.size"), value: size(doc.bytes) },
              {
                label: t("documents.state.generatedAt"),
                value: doc.finishedAt && formatDateTime(doc.finishedAt),
              },
            ]}
          />
        )}
      </Paper>

      {doc?.note && (
        <Alert color="yellow" title={t("documents.state.noteTitle")} data-testid="document-note">
          {/* A DOCX has one reason (no LibreOffice where it was generated), said in the UI's language. */}
          {doc.format === "docx" ? t("documents.state.docxNote") : doc.note}
        </Alert>
      )}
      {doc?.error && (
        <Alert color="red" title={t("documents.state.errorTitle")} data-testid="document-error">
          {doc.error}
        </Alert>
      )}
      {shortened > 0 && (
        <Alert color="yellow" data-testid="address-warnings">
          {t("documents.state.addressWarnings", { count: shortened })}
        </Alert>
      )}
      {(blocked.length > 0 || mailing.recipients.leftOut > 0) && (
        <Paper withBorder p="md" radius="md" data-testid="document-left-out">
          <Title order={3} size="h5" mb="xs">
            {t("documents.state.notIncluded")}
          </Title>
          <Group gap={6}>
            {blocked.map(([reason, n]) => (
              <Badge key={reason} variant="light" color="red" tt="none">
                {reasonText(reason)}: {formatNumber(n)}
              </Badge>
            ))}
            {mailing.recipients.leftOut > 0 && (
              <Badge variant="light" color="gray" tt="none">
                {reasonText("no-postal-address")}: {formatNumber(mailing.recipients.leftOut)}
              </Badge>
            )}
          </Group>
        </Paper>
      )}
      {doc && doc.status !== "generating" && <Letters mailingId={mailing.id} />}
    </Stack>
  );
}

/** Each letter's pages in the document, with the recipient's name (the list's first 500 names are looked up). */
function Letters({ mailingId }: { mailingId: number }) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const deliveries = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "document-letters", offset],
    queryFn: () =>
      api.get<Page<Delivery>>(`/api/mailings/${mailingId}/deliveries`, {
        status: "generated",
        limit: LIMIT,
        offset,
      }),
    placeholderData: keepPreviousData,
  });
  const recipients = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "document-letter-names"],
    queryFn: () =>
      api.get<Page<Recipient>>(`/api/mailings/${mailingId}/recipients`, { status: "eligible", limit: 500 }),
  });
  const names = new Map((recipients.data?.items ?? []).map((r) => [r.id, r.name]));
  const items = [...(deliveries.data?.items ?? [])].sort((a, b) => (a.firstPage ?? 0) - (b.firstPage ?? 0));
  if (items.length === 0) return null;
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={3} size="h5" mb="xs">
        {t("documents.letters.title")}
      </Title>
      <Table striped data-testid="document-letters">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("documents.letters.recipient")}</Table.Th>
            <Table.Th w={160}>{t("documents.letters.pages")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{names.get(d.recipientId) || d.email || `#${d.recipientId}`}</Table.Td>
              <Table.Td>
                {d.firstPage === null || d.pageCount === null
                  ? "–"
                  : d.pageCount <= 1
                    ? formatNumber(d.firstPage)
                    : `${formatNumber(d.firstPage)}–${formatNumber(d.firstPage + d.pageCount - 1)}`}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Pager total={deliveries.data?.total ?? 0} offset={offset} limit={LIMIT} onOffset={setOffset} />
    </Paper>
  );
}
