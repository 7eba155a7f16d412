// One message from the local outbox as it would have left: the HTML (sandboxed), the text part, the headers and
// the raw source.
import { Badge, Button, Code, Collapse, Group, Paper, Stack, Table, Tabs, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { OutboxMessage } from "../../api/mailing-types.ts";
import { DetailList } from "../../app/DetailList.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { MessageFrame } from "../preview/PreviewPanel.tsx";
import { SmsOutboxMessage } from "../sms/SmsOutboxMessage.tsx";
import { MailingLink } from "./MailingLink.tsx";

export function OutboxMessagePage() {
  const { t, formatDateTime } = useI18n();
  const id = Number(useParams().id);
  const api = useApi();
  const [rawOpen, raw] = useDisclosure(false);
  const query = useQuery({
    queryKey: ["outbox", "one", id],
    queryFn: () => api.get<OutboxMessage>(`/api/outbox/${id}`),
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const m = query.data;
  if (m.channel === "sms") return <SmsOutboxMessage message={m} />;

  return (
    <>
      <PageHeader
        back={{ to: "/outbox", label: t("outbox.title") }}
        title={
          <Group gap="sm">
            <span data-testid="outbox-subject">{m.subject || t("outbox.noSubject")}</span>
            {m.isTest && (
              <Badge color="grape" variant="light">
                {t("outbox.test")}
              </Badge>
            )}
          </Group>
        }
      />
      <Stack gap="md">
        <Paper withBorder p="md" radius="md">
          <DetailList
            testId="outbox-details"
            rows={[
              { label: t("outbox.from"), value: m.from },
              { label: t("outbox.to"), value: m.to },
              { label: t("outbox.envelopeFrom"), value: <Code>{m.envelopeFrom}</Code> },
              { label: t("outbox.time"), value: formatDateTime(m.createdAt) },
              {
                label: t("outbox.mailing"),
                value: m.mailingId && <MailingLink id={m.mailingId} />,
              },
            ]}
          />
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Tabs defaultValue={m.html ? "html" : "text"} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="html" disabled={!m.html}>
                HTML
              </Tabs.Tab>
              <Tabs.Tab value="text" disabled={!m.text}>
                {t("preview.text")}
              </Tabs.Tab>
              <Tabs.Tab value="headers">{t("outbox.headers")}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="html" pt="sm">
              <MessageFrame html={m.html ?? ""} title={t("outbox.frameTitle")} testId="outbox-frame" />
            </Tabs.Panel>
            <Tabs.Panel value="text" pt="sm">
              <Code block style={{ whiteSpace: "pre-wrap" }} data-testid="outbox-text">
                {m.text}
              </Code>
            </Tabs.Panel>
            <Tabs.Panel value="headers" pt="sm">
              <Table verticalSpacing={4} striped data-testid="outbox-headers">
                <Table.Tbody>
                  {m.headers.map((h, i) => (
                    // Headers repeat (Received, DKIM-Signature): the position is the identity.
                    // biome-ignore lint/suspicious/noArrayIndexKey: see above.
                    <Table.Tr key={i}>
                      <Table.Td w={220} fw={500} style={{ verticalAlign: "top" }}>
                        {h.key}
                      </Table.Td>
                      <Table.Td
                        style={{
                          wordBreak: "break-all",
                          fontFamily: "var(--mantine-font-family-monospace)",
                          fontSize: 12,
                        }}
                      >
                        {h.value}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Tabs.Panel>
          </Tabs>
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Group justify="space-between">
            <Title order={2} size="h5">
              {t("outbox.raw")}
            </Title>
            <Button size="xs" variant="default" onClick={raw.toggle} aria-expanded={rawOpen}>
              {rawOpen ? t("outbox.hideRaw") : t("outbox.showRaw")}
            </Button>
          </Group>
          <Collapse expanded={rawOpen}>
            <Code
              block
              mt="sm"
              style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", maxHeight: 600, overflow: "auto" }}
              data-testid="outbox-raw"
            >
              {m.raw}
            </Code>
          </Collapse>
        </Paper>
      </Stack>
    </>
  );
}
