// Preview: the mailing as one recipient would see it (subject, HTML in a sandboxed frame, the text part), and the
// merge fields that come out empty across the whole list, with who they are empty for.
import {
  Accordion,
  Alert,
  Anchor,
  Button,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  Tabs,
  Text,
} from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { EmptyVariables, Preview } from "../../api/mailing-types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";
import { RecipientPicker } from "./RecipientPicker.tsx";
import { SendTestModal } from "./SendTestModal.tsx";

export function PreviewPanel({
  mailingId,
  canTest,
  onRecipientShown,
}: {
  mailingId: number;
  canTest: boolean;
  /** Told which recipient is shown, so the Confirm step's spam check follows the preview. */
  onRecipientShown?: (recipientId: number | null) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [recipientId, setRecipientId] = useState<number | null>(null);
  const [testing, setTesting] = useState(false);
  const preview = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "preview", recipientId],
    queryFn: () => api.get<Preview>(`/api/mailings/${mailingId}/preview`, { recipientId }),
    placeholderData: keepPreviousData,
  });
  const shownFor = recipientId ?? preview.data?.recipientId ?? null;
  useEffect(() => onRecipientShown?.(recipientId), [recipientId, onRecipientShown]);

  return (
    <Stack gap="md" data-testid="preview-panel">
      <Group justify="space-between" align="flex-end">
        <RecipientPicker
          mailingId={mailingId}
          value={shownFor}
          onChange={setRecipientId}
          label={t("preview.recipient")}
        />
        {canTest && (
          <Button variant="default" onClick={() => setTesting(true)}>
            {t("preview.sendTest")}
          </Button>
        )}
      </Group>
      {preview.isPending ? (
        <Loading />
      ) : preview.isError ? (
        <ErrorAlert error={preview.error} />
      ) : (
        <>
          <Paper withBorder p="sm" radius="sm" bg="gray.0">
            <Text size="xs" c="dimmed">
              {t("mailings.fields.subject")}
            </Text>
            <Text fw={600} data-testid="preview-subject">
              {preview.data.subject}
            </Text>
          </Paper>
          {preview.data.emptyVariables.length > 0 && (
            <Alert color="yellow" variant="light" data-testid="preview-empty-variables">
              {t("preview.emptyForThis", { variables: preview.data.emptyVariables.join(", ") })}
            </Alert>
          )}
          <Tabs defaultValue="html" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="html">HTML</Tabs.Tab>
              <Tabs.Tab value="text">{t("preview.text")}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="html" pt="sm">
              <MessageFrame html={preview.data.html} title={t("preview.frameTitle")} testId="preview-frame" />
            </Tabs.Panel>
            <Tabs.Panel value="text" pt="sm">
              <Code block style={{ whiteSpace: "pre-wrap" }} data-testid="preview-text">
                {preview.data.text}
              </Code>
            </Tabs.Panel>
          </Tabs>
        </>
      )}
      <EmptyVariablesList mailingId={mailingId} onShow={setRecipientId} />
      <SendTestModal
        mailingId={mailingId}
        recipientId={shownFor}
        opened={testing}
        onClose={() => setTesting(false)}
      />
    </Stack>
  );
}

/**
 * HTML from the server in a frame that may run nothing: no scripts, forms or popups. It shares the page's origin
 * (allow-same-origin, never with allow-scripts) only so that the page can hear the keys pressed inside it: a
 * dialog must close on Escape and keep Tab inside itself while focus is on a link in the message, and keys pressed
 * in a frame never reach the page around it.
 */
export function MessageFrame({ html, title, testId }: { html: string; title: string; testId?: string }) {
  return (
    <iframe
      sandbox="allow-same-origin"
      srcDoc={html}
      title={title}
      data-testid={testId}
      onLoad={(event) => passKeysOut(event.currentTarget)}
      style={{
        width: "100%",
        height: 560,
        border: "1px solid var(--mantine-color-gray-3)",
        background: "white",
      }}
    />
  );
}

/**
 * Replays Escape and Tab from inside the frame on the frame element itself, where Mantine's dialog listens:
 * Escape closes the dialog, and Tab off the message's last link is brought back inside the dialog's focus trap.
 */
function passKeysOut(frame: HTMLIFrameElement) {
  frame.contentDocument?.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" && event.key !== "Tab") return;
    frame.dispatchEvent(
      new KeyboardEvent("keydown", {
        key: event.key,
        shiftKey: event.shiftKey,
        bubbles: true,
        cancelable: true,
      }),
    );
  });
}

function EmptyVariablesList({ mailingId, onShow }: { mailingId: number; onShow: (id: number) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const query = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "empty-variables"],
    queryFn: () => api.get<EmptyVariables>(`/api/mailings/${mailingId}/empty-variables`),
  });
  if (query.isError) return <ErrorAlert error={query.error} />;
  if (!query.data || query.data.items.length === 0) {
    return query.data ? (
      <Text size="sm" c="dimmed" data-testid="empty-variables-none">
        {t("preview.noEmpty", { count: query.data.checked })}
      </Text>
    ) : null;
  }
  return (
    <Stack gap="xs">
      <Text fw={500} size="sm">
        {t("preview.emptyTitle", { count: query.data.checked })}
      </Text>
      <Accordion variant="contained" data-testid="empty-variables">
        {query.data.items.map((item) => (
          <Accordion.Item key={item.variable} value={item.variable}>
            <Accordion.Control>
              <Text size="sm" c="yellow.9">
                {t("preview.emptyFor", { variable: item.variable, count: item.count })}
              </Text>
            </Accordion.Control>
            <Accordion.Panel>
              <Table verticalSpacing={4}>
                <Table.Tbody>
                  {item.recipients.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>{r.name}</Table.Td>
                      <Table.Td>{r.email}</Table.Td>
                      <Table.Td ta="right">
                        <Anchor component="button" size="sm" onClick={() => onShow(r.id)}>
                          {t("preview.show")}
                        </Anchor>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {item.recipients.length < item.count && (
                <Text size="xs" c="dimmed" mt={4}>
                  {t("preview.andMore", { count: item.count - item.recipients.length })}
                </Text>
              )}
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}
