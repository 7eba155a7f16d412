// The Confirm step's spam check for the recipient shown in the preview: SpamAssassin's score and every rule that
// fired (where the server has SpamAssassin), what the open pixel alone adds, and utsend's own content findings.
// A score at or over SpamAssassin's threshold stops Send until someone dismisses it with a reason.
import { Alert, Anchor, Button, Group, List, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { SpamCheck as Check, SpamFinding } from "../../api/mailing-types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { type Translate, translateKnown, useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";

type Rule = { name: string; points: number; description: string };

export function spamCheckKey(mailingId: number, recipientId: number | null) {
  return [...mailingPartsKey(mailingId), "spam-check", recipientId];
}

/** The check for one recipient (null: the first); shared by the panel and the Send buttons. */
export function useSpamCheck(mailingId: number, recipientId: number | null, enabled = true) {
  const api = useApi();
  return useQuery({
    enabled,
    queryKey: spamCheckKey(mailingId, recipientId),
    queryFn: () => api.get<Check>(`/api/mailings/${mailingId}/spam-check`, { recipientId }),
    // SpamAssassin takes seconds: do not ask again on every focus.
    staleTime: 60_000,
    retry: false,
  });
}

/** A SpamAssassin score nobody dismissed, which the server refuses to send. */
export function spamBlocks(check: Check | undefined): boolean {
  const sa = check?.spamAssassin;
  return sa?.kind === "scored" && sa.blocking && !sa.dismissed;
}

export function SpamCheck({
  mailingId,
  recipientId,
  editable,
}: {
  mailingId: number;
  recipientId: number | null;
  editable: boolean;
}) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const check = useSpamCheck(mailingId, recipientId);
  const [busy, setBusy] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);

  async function dismiss(key: string, dismissed: boolean, why?: string) {
    if (busy) return;
    setBusy(key);
    setError(null);
    try {
      const next = await api.put<Check>(`/api/mailings/${mailingId}/spam-check/dismissed`, {
        key,
        dismissed,
        ...(why ? { reason: why } : {}),
        ...(check.data?.recipientId ? { recipientId: check.data.recipientId } : {}),
      });
      queryClient.setQueryData(spamCheckKey(mailingId, recipientId), next);
      setReason("");
    } catch (e) {
      setError(e);
    }
    setBusy(null);
  }

  const data = check.data;
  const sa = data?.spamAssassin;
  const messageUrl = `/api/mailings/${mailingId}/spam-check/message${
    data?.recipientId ? `?recipientId=${data.recipientId}` : ""
  }`;
  return (
    <Stack gap="sm" data-testid="spam-check">
      <Title order={2} size="h4">
        {t("sending.spam.title")}
      </Title>
      <Text size="sm">{t("sending.spam.intro")}</Text>
      {check.isPending ? (
        <Group gap="xs">
          <Loading />
          <Text size="sm">{t("sending.spam.checking")}</Text>
        </Group>
      ) : check.isError ? (
        <ErrorAlert error={check.error} />
      ) : data && sa ? (
        <>
          {sa.kind === "unavailable" && (
            <Alert color="gray" variant="light" data-testid="spamassassin-unavailable">
              {t("sending.spam.unavailable")}
            </Alert>
          )}
          {sa.kind === "failed" && (
            <Alert color="yellow" variant="light" title={t("sending.spam.failedTitle")}>
              {t("sending.spam.failed", { reason: sa.reason })}
            </Alert>
          )}
          {sa.kind === "scored" && (
            <Alert
              color={sa.blocking && !sa.dismissed ? "red" : sa.blocking ? "gray" : "green"}
              variant="light"
              title={t("sending.spam.score", {
                score: formatNumber(sa.score),
                required: formatNumber(sa.required),
              })}
              data-testid="spamassassin-score"
            >
              <Stack gap="xs">
                <Text size="sm">
                  {sa.blocking
                    ? t("sending.spam.blocking")
                    : t("sending.spam.notSpam", { required: formatNumber(sa.required) })}
                </Text>
                {sa.withoutOpenPixel && sa.withoutOpenPixel.score !== sa.score && (
                  <Text size="sm" data-testid="spam-pixel">
                    {t("sending.spam.pixel", {
                      without: formatNumber(sa.withoutOpenPixel.score),
                      rules: onlyIn(sa.rules, sa.withoutOpenPixel.rules).join(", ") || "–",
                    })}
                  </Text>
                )}
                <RuleTable rules={sa.rules} t={t} formatNumber={formatNumber} />
                {sa.blocking && sa.dismissed && (
                  <Text size="sm" data-testid="spam-dismissed">
                    <strong>{t("sending.spam.dismissedWith")}</strong> {sa.reason}
                  </Text>
                )}
                {sa.blocking && editable && !sa.dismissed && (
                  <form
                    onSubmit={(event) => {
                      event.preventDefault();
                      if (reason.trim()) dismiss(sa.key, true, reason.trim());
                    }}
                  >
                    <Stack gap="xs">
                      <Textarea
                        label={t("sending.spam.reasonLabel")}
                        description={t("sending.spam.reasonHelp")}
                        value={reason}
                        onChange={(event) => setReason(event.currentTarget.value)}
                        required
                        maxLength={1000}
                        autosize
                        minRows={2}
                      />
                      <Group>
                        <Button
                          type="submit"
                          color="red"
                          variant="light"
                          aria-busy={busy === sa.key || undefined}
                        >
                          {t("sending.spam.dismissScore")}
                        </Button>
                      </Group>
                    </Stack>
                  </form>
                )}
                {sa.blocking && editable && sa.dismissed && (
                  <Group>
                    <Button size="compact-sm" variant="default" onClick={() => dismiss(sa.key, false)}>
                      {t("sending.spam.restoreScore")}
                    </Button>
                  </Group>
                )}
              </Stack>
            </Alert>
          )}
          <ErrorAlert error={error} />
          <Findings
            findings={data.findings}
            editable={editable}
            busy={busy}
            onToggle={(key, dismissed) => dismiss(key, dismissed)}
          />
          <Anchor href={messageUrl} size="sm">
            {t("sending.spam.download")}
          </Anchor>
        </>
      ) : null}
    </Stack>
  );
}

function RuleTable({
  rules,
  t,
  formatNumber,
}: {
  rules: Rule[];
  t: Translate;
  formatNumber: (n: number) => string;
}) {
  if (rules.length === 0) return null;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table withTableBorder fz="sm" data-testid="spam-rules">
        <caption style={{ captionSide: "top", textAlign: "left" }}>{t("sending.spam.rulesCaption")}</caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("sending.spam.points")}</Table.Th>
            <Table.Th>{t("sending.spam.rule")}</Table.Th>
            <Table.Th>{t("sending.spam.meaning")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rules.map((rule) => (
            <Table.Tr key={rule.name}>
              <Table.Td>{formatNumber(rule.points)}</Table.Td>
              <Table.Td>
                <code>{rule.name}</code>
              </Table.Td>
              <Table.Td>{ruleText(t, rule)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Plain words for the rules marketers meet most; SpamAssassin's own description for the rest. */
function ruleText(t: Translate, rule: Rule): string {
  const name = rule.name.startsWith("HTML_IMAGE_ONLY_")
    ? "HTML_IMAGE_ONLY"
    : rule.name.startsWith("HTML_IMAGE_RATIO_")
      ? "HTML_IMAGE_RATIO"
      : rule.name;
  return translateKnown(t, `sending.spam.rules.${name}`, rule.description);
}

function onlyIn(rules: Rule[], other: Rule[]): string[] {
  const names = new Set(other.map((r) => r.name));
  return rules.filter((r) => !names.has(r.name)).map((r) => r.name);
}

function Findings({
  findings,
  editable,
  busy,
  onToggle,
}: {
  findings: Check["findings"];
  editable: boolean;
  busy: string | null;
  onToggle: (key: string, dismissed: boolean) => void;
}) {
  const { t, formatNumber } = useI18n();
  if (findings.length === 0)
    return (
      <Text size="sm" data-testid="spam-findings-none">
        {t("sending.spam.noFindings")}
      </Text>
    );
  return (
    <Alert
      color={findings.some((f) => !f.dismissed) ? "yellow" : "gray"}
      variant="light"
      title={t("sending.spam.findingsTitle")}
      data-testid="spam-findings"
    >
      <List size="sm" spacing="xs">
        {findings.map((f) => {
          const text = findingText(t, f, formatNumber);
          return (
            <List.Item key={f.key} data-dismissed={f.dismissed || undefined}>
              <Group gap="sm" justify="space-between" wrap="nowrap" align="flex-start">
                <Text size="sm" span>
                  {f.dismissed && <strong>{t("sending.accessibility.dismissed")}: </strong>}
                  {text}
                </Text>
                {editable && (
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-busy={busy === f.key || undefined}
                    aria-label={t(
                      f.dismissed
                        ? "sending.accessibility.restoreNamed"
                        : "sending.accessibility.dismissNamed",
                      { warning: text },
                    )}
                    onClick={() => onToggle(f.key, !f.dismissed)}
                    style={{ flexShrink: 0 }}
                  >
                    {t(f.dismissed ? "sending.accessibility.restore" : "sending.accessibility.dismiss")}
                  </Button>
                )}
              </Group>
            </List.Item>
          );
        })}
      </List>
    </Alert>
  );
}

function findingText(t: Translate, f: SpamFinding, number: (n: number) => string): string {
  switch (f.code) {
    case "low-text-to-image":
      return f.pixelTipsIt
        ? t("sending.spam.findings.low-text-to-image-pixel", { textLength: number(f.textLength) })
        : t("sending.spam.findings.low-text-to-image", {
            textLength: number(f.textLength),
            images: number(f.images),
          });
    case "image-only":
      return t("sending.spam.findings.image-only", { textLength: number(f.textLength) });
    case "short-text-part":
      return f.textLength === 0
        ? t("sending.spam.findings.no-text-part")
        : t("sending.spam.findings.short-text-part", { textLength: number(f.textLength) });
    case "link-domain-mismatch":
      return t("sending.spam.findings.link-domain-mismatch", {
        shown: f.shownDomain,
        target: f.targetDomain,
      });
    case "url-shortener":
      return t("sending.spam.findings.url-shortener", { url: f.url, domain: f.domain });
    case "shouting-subject":
      return t(`sending.spam.findings.shouting-subject-${f.kind}`, { subject: f.subject });
    case "risky-attachment":
      return t(`sending.spam.findings.risky-attachment-${f.kind}`, { filename: f.filename });
    case "html-too-large":
      return t("sending.spam.findings.html-too-large", {
        size: number(Math.round(f.bytes / 1024)),
        limit: number(Math.round(f.limit / 1024)),
      });
    default:
      return (f as { message: string }).message;
  }
}
