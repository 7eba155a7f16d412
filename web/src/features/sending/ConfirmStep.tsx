// Step 5, Confirm: the summary, every blocking problem with a link to its step, the accessibility warnings, the
// preview, and send now, schedule, start a scheduled one early, unschedule or cancel.
import { Alert, Anchor, Button, Group, List, Modal, Paper, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { useSubscriptionTypes } from "../../api/catalogue.ts";
import { ApiError } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { Mailing, MailingProblem } from "../../api/mailing-types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { DetailList } from "../../app/DetailList.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { DocumentPreviewPanel } from "../documents/DocumentPreviewPanel.tsx";
import { isDocument } from "../documents/types.ts";
import { accountName } from "../mailings/account-name.ts";
import { problemText } from "../mailings/problems.ts";
import { useAllProjects, useSendingAccounts } from "../mailings/queries.ts";
import type { StepProps } from "../mailings/step-props.ts";
import { PreviewPanel } from "../preview/PreviewPanel.tsx";
import { useAllSelections } from "../selections/queries.ts";
import { SmsPreviewPanel } from "../sms/SmsPreviewPanel.tsx";
import { useSmsWindowText } from "../sms/SmsWindowNote.tsx";
import { isSms, smsFields } from "../sms/types.ts";
import { AccessibilityWarnings } from "./AccessibilityWarnings.tsx";
import { type Schedule, ScheduleModal } from "./ScheduleModal.tsx";
import { SpamCheck, spamBlocks, useSpamCheck } from "./SpamCheck.tsx";

export function ConfirmStep({ mailing, editable, act, goTo }: StepProps) {
  const { t, language, formatDateTime } = useI18n();
  const api = useApi();
  const { can } = useSession();
  /** The scheduled time as the clock in the mailing's own zone shows it, not the browser's. */
  const inZone = (iso: string | null, zone: string | null) => {
    if (!iso || !zone) return null;
    try {
      return new Intl.DateTimeFormat(language === "nb" ? "nb-NO" : "en-GB", {
        dateStyle: "medium",
        timeStyle: "short",
        timeZone: zone,
      }).format(new Date(iso));
    } catch {
      return null;
    }
  };
  const [confirming, confirm] = useDisclosure(false);
  const [scheduling, schedule] = useDisclosure(false);
  const [refused, setRefused] = useState<MailingProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const base = `/api/mailings/${mailing.id}`;
  const mayStart = editable && can("send");
  // The spam check follows the recipient shown in the preview (null: the first one, as the server picks).
  const [spamRecipient, setSpamRecipient] = useState<number | null>(null);
  const doc = isDocument(mailing);
  const formResponse = mailing.type === "form";
  // A form response has no recipient yet to check a message for.
  const spamChecked = !isSms(mailing) && !doc && !formResponse;
  const spam = useSpamCheck(mailing.id, spamRecipient, spamChecked && mailing.canSend);
  const spamBlocked = spamBlocks(spam.data);
  // An account that cannot send as configured (no EHLO name it may give, clear text toward a remote host).
  const account = useSendingAccounts().data?.items.find((a) => a.id === mailing.sendingAccountId);
  const accountProblem: MailingProblem[] =
    account?.problems && account.problems.length > 0
      ? [
          {
            step: "setup",
            code: "sending-account-unusable",
            field: "sendingAccountId",
            message: `Sending account "${account.name}" cannot send: ${account.problems.join("; ")}`,
          },
        ]
      : [];
  const canSend = mailing.canSend && !spamBlocked && accountProblem.length === 0;
  // The server refuses Send for the same reasons; listed here before anyone presses it.
  const spamProblem: MailingProblem[] = spamBlocked
    ? [{ step: "confirm", code: "spam-score", message: "SpamAssassin calls the message spam" }]
    : [];
  const problems = refused.length > 0 ? refused : [...mailing.problems, ...accountProblem, ...spamProblem];

  /** Runs a lifecycle action; a MAILING_NOT_READY refusal lists its problems here. */
  async function lifecycle(path: string, body?: unknown): Promise<boolean> {
    setBusy(true);
    setRefused([]);
    const result = await act(async () => {
      try {
        return await api.post<Mailing>(`${base}/${path}`, body);
      } catch (error) {
        const listed = error instanceof ApiError ? (error.details as { problems?: unknown })?.problems : null;
        if (Array.isArray(listed)) setRefused(listed as MailingProblem[]);
        throw error;
      }
    });
    setBusy(false);
    return result !== null;
  }

  return (
    <Stack gap="lg">
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("sending.summary")}
        </Title>
        <MailingSummaryList mailing={mailing} />
      </Paper>

      {problems.length > 0 ? (
        <Alert
          color="red"
          title={t("sending.problemsTitle", { count: problems.length })}
          data-testid="problems"
        >
          <List size="sm" spacing={4}>
            {problems.map((problem) => (
              <List.Item key={`${problem.step}-${problem.code}-${problem.message}`}>
                {problemText(t, problem)}{" "}
                {problem.step !== "confirm" && (
                  // The alert's own text colour, underlined: the theme's link blue fails AA on the light red.
                  <Anchor
                    component="button"
                    size="sm"
                    c="inherit"
                    underline="always"
                    onClick={() => goTo(problem.step)}
                  >
                    {t("sending.goToStep", { step: t(`mailings.steps.${problem.step}`) })}
                  </Anchor>
                )}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : (
        <Alert color="green" data-testid="ready">
          {formResponse
            ? t("sending.formResponseReady")
            : t("sending.ready", { count: mailing.recipients.eligible })}
        </Alert>
      )}

      <AccessibilityWarnings mailing={mailing} editable={editable} act={act} />

      {spamChecked && mailing.canSend && (
        <Paper withBorder p="md" radius="md">
          <SpamCheck mailingId={mailing.id} recipientId={spamRecipient} editable={editable} />
        </Paper>
      )}

      {mailing.status === "scheduled" && (
        <Alert color="violet" title={t("sending.scheduledTitle")} data-testid="scheduled">
          {t("sending.scheduledAt", {
            when: inZone(mailing.scheduledAt, mailing.timeZone) ?? formatDateTime(mailing.scheduledAt),
            zone: mailing.timeZone ?? "",
          })}
        </Alert>
      )}

      {mayStart && (
        <Group gap="sm">
          {mailing.status === "scheduled" ? (
            <>
              <Button onClick={confirm.open} disabled={!canSend}>
                {t("sending.startNow")}
              </Button>
              <Button variant="default" onClick={schedule.open} disabled={!canSend}>
                {t("sending.reschedule")}
              </Button>
              <Button variant="default" loading={busy} onClick={() => lifecycle("unschedule")}>
                {t("sending.unschedule")}
              </Button>
            </>
          ) : (
            <>
              <Button onClick={confirm.open} disabled={!canSend}>
                {doc
                  ? t("documents.confirm.generate")
                  : formResponse
                    ? t("sending.formResponseStart")
                    : t("sending.sendNow")}
              </Button>
              {/* A document is generated when asked, a form response answers as submissions come: nothing to time. */}
              {!doc && !formResponse && (
                <Button variant="default" onClick={schedule.open} disabled={!canSend}>
                  {t("sending.scheduleOpen")}
                </Button>
              )}
            </>
          )}
          <ConfirmButton
            variant="subtle"
            title={t("sending.cancelTitle")}
            message={t("sending.cancelConfirm", { name: mailing.name })}
            confirmLabel={t("sending.cancelMailing")}
            onConfirm={() => lifecycle("cancel")}
          >
            {t("sending.cancelMailing")}
          </ConfirmButton>
        </Group>
      )}

      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("preview.title")}
        </Title>
        {doc ? (
          <DocumentPreviewPanel mailingId={mailing.id} />
        ) : isSms(mailing) ? (
          <SmsPreviewPanel
            mailingId={mailing.id}
            sender={smsFields(mailing).smsSender}
            canTest={can("send")}
          />
        ) : (
          <PreviewPanel mailingId={mailing.id} canTest={can("send")} onRecipientShown={setSpamRecipient} />
        )}
      </Paper>

      <Modal
        opened={confirming}
        onClose={confirm.close}
        title={doc ? t("documents.confirm.title") : t("sending.confirmTitle")}
        centered
      >
        <Text size="sm">
          {t(doc ? "documents.confirm.message" : "sending.confirmMessage", {
            name: mailing.name,
            count: mailing.recipients.eligible,
          })}
        </Text>
        <Group justify="flex-end" mt="lg">
          <Button variant="default" onClick={confirm.close}>
            {t("common.cancel")}
          </Button>
          <Button
            loading={busy}
            onClick={async () => {
              if (await lifecycle("send")) confirm.close();
            }}
          >
            {mailing.status === "scheduled"
              ? t("sending.startNow")
              : doc
                ? t("documents.confirm.generate")
                : t("sending.sendNow")}
          </Button>
        </Group>
      </Modal>
      <ScheduleModal
        opened={scheduling}
        onClose={schedule.close}
        onSchedule={(s: Schedule) => lifecycle("schedule", s)}
      />
    </Stack>
  );
}

/** What will be sent, from whom, to how many, through which account. */
export function MailingSummaryList({ mailing }: { mailing: Mailing }) {
  const { t } = useI18n();
  const accounts = useSendingAccounts();
  const types = useSubscriptionTypes();
  const selections = useAllSelections();
  const projects = useAllProjects();
  const account = accounts.data?.items.find((a) => a.id === mailing.sendingAccountId);
  const type = types.data?.items.find((s) => s.id === mailing.subscriptionTypeId);
  const from = mailing.fromAddress
    ? mailing.fromName
      ? `${mailing.fromName} <${mailing.fromAddress}>`
      : mailing.fromAddress
    : null;
  const sms = isSms(mailing);
  const doc = isDocument(mailing);
  const window = useSmsWindowText(mailing);
  const linked = [
    selections.data?.items.find((s) => s.id === mailing.selectionId)?.name,
    projects.data?.items.find((p) => p.id === mailing.projectId)?.name,
  ].filter(Boolean);
  const emailRows = [
    { label: t("mailings.fields.subject"), value: mailing.subject },
    {
      label: t("mailings.fields.fromAddress"),
      value: from && (
        <>
          {from}
          {mailing.fromMode === "our-contact" && (
            <Text size="xs" c="dimmed">
              {t("mailings.fromModeHelp.our-contact")}
            </Text>
          )}
        </>
      ),
    },
    { label: t("mailings.fields.replyTo"), value: mailing.replyTo },
  ];
  return (
    <DetailList
      testId="mailing-summary"
      labelWidth={200}
      rows={[
        { label: t("mailings.fields.name"), value: mailing.name },
        ...(sms
          ? [
              { label: t("sms.fields.sender"), value: smsFields(mailing).smsSender },
              { label: t("sms.window.label"), value: window },
            ]
          : doc
            ? [
                { label: t("documents.fields.heading"), value: mailing.docHeading },
                { label: t("documents.source.label"), value: t(`documents.source.${mailing.docSource}`) },
                { label: t("documents.fields.order"), value: t(`documents.orders.${mailing.docOrder}`) },
              ]
            : emailRows),
        {
          label: t("sending.recipients"),
          value: (
            <span data-testid="summary-recipients">
              {t(
                mailing.recipients.leftOut > 0
                  ? "sending.recipientsValueWithLeftOut"
                  : "sending.recipientsValue",
                {
                  eligible: t("sending.recipientsValueParts.eligible", {
                    count: mailing.recipients.eligible,
                  }),
                  blocked: t("sending.recipientsValueParts.blocked", {
                    count: mailing.recipients.blockedTotal,
                  }),
                  leftOut: t("sending.recipientsValueParts.leftOut", { count: mailing.recipients.leftOut }),
                },
              )}
            </span>
          ),
        },
        ...(doc
          ? []
          : [{ label: t("mailings.fields.sendingAccount"), value: account && accountName(t, account) }]),
        { label: t("sending.linked"), value: linked.join(" · ") },
        {
          label: t("mailings.fields.subscriptionType"),
          value: mailing.subscriptionTypeId === null ? t("mailings.setup.anyType") : type?.name,
        },
        ...(sms || doc
          ? []
          : [
              {
                label: t("sending.tracking"),
                value: `${t(`mailings.trackLinks.${mailing.trackLinks}`)} · ${
                  mailing.trackOpens ? t("sending.opensTracked") : t("sending.opensNotTracked")
                }`,
              },
            ]),
      ]}
    />
  );
}
