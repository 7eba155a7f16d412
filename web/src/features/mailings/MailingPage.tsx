// One mailing: the five-step wizard while it is a draft or scheduled (unsaved changes kept here and saved as a
// draft at any time), the progress and problems once it sends.
import { Alert, Button, Group, List, Modal, Paper, Stack, Tabs } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { presentStepKeys } from "../../../../src/mailings/step-order.ts";
import { liveSetupProblems } from "../../../../src/mailings/steps.ts";
import { useApi } from "../../api/context.tsx";
import type { Mailing, MailingFields, MailingInput, StepKey } from "../../api/mailing-types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { useTopmostClose } from "../../app/dialog-focus.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MailingBouncesTab } from "../bounces/MailingBouncesTab.tsx";
import { ContentStep } from "../content/ContentStep.tsx";
import { TemplateStep } from "../content/TemplateStep.tsx";
import { DocumentContentStep, DocumentTemplateStep } from "../documents/DocumentContentStep.tsx";
import { DocumentPanel } from "../documents/DocumentPanel.tsx";
import { DocumentPreviewPanel } from "../documents/DocumentPreviewPanel.tsx";
import { DocumentSetupStep } from "../documents/DocumentSetupStep.tsx";
import { isDocument } from "../documents/types.ts";
import { FollowUpPanels, FollowUpTabs, followUpTabKeys } from "../follow-up/FollowUpTabs.tsx";
import { PreviewPanel } from "../preview/PreviewPanel.tsx";
import { RecipientsStep } from "../recipients/RecipientsStep.tsx";
import { ConfirmStep, MailingSummaryList } from "../sending/ConfirmStep.tsx";
import { SendingPanel } from "../sending/SendingPanel.tsx";
import { SmsContentStep } from "../sms/SmsContentStep.tsx";
import { SmsPreviewPanel } from "../sms/SmsPreviewPanel.tsx";
import { isSms, smsFields } from "../sms/types.ts";
import { MailingStatusBadge } from "./MailingStatusBadge.tsx";
import { problemText, warningText } from "./problems.ts";
import { mailingKey, useMailing, useMailingChanged } from "./queries.ts";
import { SetupStep } from "./SetupStep.tsx";
import { StepMarkers } from "./StepMarkers.tsx";
import { firstUnfinished, openSteps, type StepProps } from "./step-props.ts";

export function MailingPage() {
  const id = Number(useParams().id);
  const query = useMailing(id);
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return <MailingView key={id} mailing={query.data} />;
}

/** An SMS mailing has no template to choose: its Template step shows as done. */
function smsSteps(steps: Mailing["steps"]): Mailing["steps"] {
  return steps.map((s) => (s.key === "template" ? { ...s, state: "complete" } : s));
}

/** Drops the changes a save sent, keeping what was typed while it was under way. */
function unsent(current: MailingInput, sent: MailingInput): MailingInput {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current)) {
    const before = (sent as Record<string, unknown>)[key];
    const same =
      key === "options" ? JSON.stringify(value) === JSON.stringify(before) : Object.is(value, before);
    if (!same) rest[key] = value;
  }
  return rest as MailingInput;
}

function MailingView({ mailing }: { mailing: Mailing }) {
  const { t } = useI18n();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const changed = useMailingChanged();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const [changes, setChanges] = useState<MailingInput>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [previewing, preview] = useDisclosure(false);
  // Send test opens over the Preview: Escape there closes Send test only.
  const previewClose = useTopmostClose(preview.close);
  // Steps call save/act/goTo from handlers that outlive their render: they read the latest edits here.
  const pending = useRef(changes);
  pending.current = changes;
  const isDirty = () => Object.keys(pending.current).length > 0;

  const inWizard = mailing.status === "draft" || mailing.status === "scheduled";
  const editable = inWizard && can("write");
  const dirty = Object.keys(changes).length > 0;
  const values: MailingFields = {
    ...mailing,
    ...changes,
    options: { ...mailing.options, ...changes.options },
  };
  const open = openSteps(mailing);
  const requested = params.get("step") as StepKey | null;
  const step = requested && open.has(requested) ? requested : firstUnfinished(mailing);
  const base = `/api/mailings/${mailing.id}`;
  const sms = isSms(mailing);
  const doc = isDocument(mailing);
  // After the wizard, the tab is in the address (`?tab=statistics`), so other pages can link to one.
  const tabs = [
    "overview",
    ...(mailing.startedAt !== null ? followUpTabKeys(mailing) : []),
    ...(mailing.startedAt !== null && !sms && !doc ? ["bounces"] : []),
  ];
  const tab = tabs.find((key) => key === params.get("tab")) ?? "overview";

  function change(patch: MailingInput) {
    setChanges((prev) => ({
      ...prev,
      ...patch,
      ...(patch.options ? { options: { ...prev.options, ...patch.options } } : {}),
    }));
    setErrors((prev) => {
      const next = { ...prev };
      for (const key of Object.keys(patch)) delete next[key];
      return next;
    });
  }

  async function save(quiet = false): Promise<Mailing | null> {
    if (!editable) return mailing;
    const sent = pending.current;
    setSaving(true);
    try {
      const saved =
        Object.keys(sent).length > 0 ? await api.patch<Mailing>(base, sent) : await api.get<Mailing>(base);
      pending.current = unsent(pending.current, sent);
      setChanges((current) => unsent(current, sent));
      setErrors({});
      await changed(saved);
      if (!quiet) {
        notifySuccess(
          saved.warnings.length > 0
            ? t("mailings.savedWithWarnings", { count: saved.warnings.length })
            : t("mailings.saved"),
        );
      }
      return saved;
    } catch (error) {
      setErrors(fieldErrors(error, t));
      notifyFailure(error);
      return null;
    } finally {
      setSaving(false);
    }
  }

  async function act(write: () => Promise<Mailing>): Promise<Mailing | null> {
    if (isDirty() && !(await save(true))) return null;
    try {
      const result = await write();
      await changed(result);
      return result;
    } catch (error) {
      notifyFailure(error);
      return null;
    }
  }

  async function goTo(next: StepKey) {
    if (isDirty() && !(await save(true))) return;
    // Read the cache, not this render's props: an action may have just changed the steps.
    const latest = queryClient.getQueryData<Mailing>(mailingKey(mailing.id)) ?? mailing;
    if (!openSteps(latest).has(next)) {
      notifyFailure(t("mailings.stepLocked"));
      return;
    }
    setParams(next === "setup" ? { step: "setup" } : { step: next });
    window.scrollTo({ top: 0 });
  }

  async function copy() {
    try {
      const created = await api.post<Mailing>(`${base}/copy`);
      await queryClient.invalidateQueries({ queryKey: ["mailings", "list"] });
      notifySuccess(t("mailings.copied"));
      navigate(`/mailings/${created.id}`);
    } catch (error) {
      notifyFailure(error);
    }
  }

  async function remove() {
    await api.delete(base);
    await queryClient.invalidateQueries({ queryKey: ["mailings"] });
    notifySuccess(t("mailings.deleted"));
    navigate("/mailings");
  }

  const props: StepProps = { mailing, values, change, errors, editable, act, goTo };
  const saved = mailing.steps.find((s) => s.key === step);
  // Setup's list follows the fields as they are typed; the other steps' problems come with each save.
  const current =
    saved && step === "setup"
      ? {
          ...saved,
          problems: liveSetupProblems(
            saved.problems,
            values,
            sms ? "sms" : doc ? "document" : mailing.type === "form" ? "form" : "email",
          ),
        }
      : saved;
  // A form response has no Recipients step: its steps are those the server gives.
  const keys = presentStepKeys(mailing.steps);
  const index = keys.indexOf(step);
  const previous = keys[index - 1];
  const next = keys[index + 1];

  return (
    <>
      <PageHeader
        back={{ to: "/mailings", label: t("nav.mailings") }}
        title={
          <Group gap="sm">
            {values.name || mailing.name}
            <MailingStatusBadge status={mailing.status} />
          </Group>
        }
        subtitle={sms ? smsFields(mailing).smsSender : doc ? mailing.docHeading : mailing.subject}
        actions={
          <>
            <Button
              variant="default"
              onClick={async () => {
                // The preview renders what is saved: save the edits first so it shows them.
                if (isDirty() && !(await save(true))) return;
                preview.open();
              }}
            >
              {t("preview.open")}
            </Button>
            {can("write") && (
              <Button variant="default" onClick={copy}>
                {t("mailings.copy")}
              </Button>
            )}
            {can("write") && (mailing.status === "draft" || mailing.status === "cancelled") && (
              <ConfirmButton
                title={t("mailings.deleteTitle")}
                message={t("mailings.deleteConfirm", { name: mailing.name })}
                confirmLabel={t("common.delete")}
                onConfirm={remove}
              >
                {t("common.delete")}
              </ConfirmButton>
            )}
            {editable && (
              <Button onClick={() => save()} loading={saving} variant={dirty ? "filled" : "light"}>
                {t("mailings.saveDraft")}
              </Button>
            )}
          </>
        }
      />

      {inWizard ? (
        <Stack gap="md">
          <StepMarkers
            steps={sms ? smsSteps(mailing.steps) : mailing.steps}
            active={step}
            open={open}
            onSelect={goTo}
          />
          {mailing.warnings.length > 0 && step !== "content" && (
            <Alert color="yellow" title={t("mailings.warnings")} data-testid="mailing-warnings">
              <List size="sm">
                {mailing.warnings.map((w) => (
                  <List.Item key={w}>{warningText(t, w)}</List.Item>
                ))}
              </List>
            </Alert>
          )}
          {current && current.problems.length > 0 && step !== "confirm" && (
            <Alert
              color="orange"
              variant="light"
              title={t("mailings.stepProblems")}
              data-testid="step-problems"
            >
              <List size="sm">
                {current.problems.map((p) => (
                  <List.Item key={`${p.code}-${p.message}`}>{problemText(t, p)}</List.Item>
                ))}
              </List>
            </Alert>
          )}
          <Paper withBorder p="md" radius="md" data-testid={`step-${step}-panel`}>
            {/* Without the right to write, the steps are shown but every control in them is off. */}
            <fieldset disabled={!editable} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
              {step === "setup" && (doc ? <DocumentSetupStep {...props} /> : <SetupStep {...props} />)}
              {step === "template" &&
                (doc ? <DocumentTemplateStep {...props} /> : <TemplateStep {...props} />)}
              {step === "content" &&
                (sms ? (
                  <SmsContentStep {...props} />
                ) : doc ? (
                  <DocumentContentStep {...props} />
                ) : (
                  <ContentStep {...props} />
                ))}
              {step === "recipients" && <RecipientsStep {...props} />}
            </fieldset>
            {step === "confirm" && <ConfirmStep {...props} />}
          </Paper>
          <Group justify="space-between">
            {previous ? (
              <Button variant="default" onClick={() => goTo(previous)}>
                ← {t(`mailings.steps.${previous}`)}
              </Button>
            ) : (
              <span />
            )}
            {next && (
              <Button onClick={() => goTo(next)} loading={saving} disabled={!open.has(next) && !dirty}>
                {t("mailings.nextStep", { step: t(`mailings.steps.${next}`) })} →
              </Button>
            )}
          </Group>
        </Stack>
      ) : (
        <Tabs
          value={tab}
          onChange={(value) =>
            setParams(
              (prev) => {
                const next = new URLSearchParams(prev);
                if (value && value !== "overview") next.set("tab", value);
                else next.delete("tab");
                return next;
              },
              { replace: true },
            )
          }
          keepMounted={false}
        >
          <Tabs.List mb="md">
            <Tabs.Tab value="overview">{t("bounces.mailingOverviewTab")}</Tabs.Tab>
            {mailing.startedAt !== null && <FollowUpTabs mailing={mailing} />}
            {/* An SMS does not bounce: its failures carry the provider's code under Recipients; a letter is printed. */}
            {mailing.startedAt !== null && !sms && !doc && (
              <Tabs.Tab value="bounces">{t("bounces.tab")}</Tabs.Tab>
            )}
          </Tabs.List>
          <Tabs.Panel value="overview">
            <Stack gap="md">
              {doc ? <DocumentPanel mailing={mailing} /> : <SendingPanel mailing={mailing} />}
              <Paper withBorder p="md" radius="md">
                <MailingSummaryList mailing={mailing} />
              </Paper>
            </Stack>
          </Tabs.Panel>
          {mailing.startedAt !== null && <FollowUpPanels mailing={mailing} />}
          {mailing.startedAt !== null && !sms && !doc && (
            <Tabs.Panel value="bounces">
              <Paper withBorder p="md" radius="md">
                <MailingBouncesTab mailingId={mailing.id} />
              </Paper>
            </Tabs.Panel>
          )}
        </Tabs>
      )}

      <Modal opened={previewing} {...previewClose} title={t("preview.title")} size="xl">
        {previewing &&
          (sms ? (
            <SmsPreviewPanel
              mailingId={mailing.id}
              sender={smsFields(mailing).smsSender}
              canTest={can("send")}
            />
          ) : doc ? (
            <DocumentPreviewPanel mailingId={mailing.id} />
          ) : (
            <PreviewPanel mailingId={mailing.id} canTest={can("send")} />
          ))}
      </Modal>
    </>
  );
}
