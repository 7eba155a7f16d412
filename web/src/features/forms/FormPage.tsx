// One form's builder: Fields (with the live preview), Settings, Actions, Publish and Share. The changes are a draft in
// the page until Save (Publish saves first); the builder shows what it can tell is wrong before the server is asked.
import { Alert, Badge, Button, Group, Tabs } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { ActionsTab } from "./ActionsTab.tsx";
import { deactivateAfterProblem, definitionProblems, redirectUrlProblem } from "./builder.ts";
import { FieldsTab } from "./FieldsTab.tsx";
import { FormStatusBadge } from "./FormStatusBadge.tsx";
import { PublishTab, ShareTab } from "./PublishShare.tsx";
import { editableOf, type FormDraft, useForm, useFormWrites } from "./queries.ts";
import { isoFromLocalInput, localInputValue, SettingsTab, type SettingsTexts } from "./SettingsTab.tsx";
import type { Form, FormUpdate } from "./types.ts";

const TABS = ["fields", "settings", "actions", "publish", "share"] as const;
type Tab = (typeof TABS)[number];

function textsOf(form: Form): SettingsTexts {
  return {
    afterSubmit: form.redirectUrl ? "redirect" : "text",
    deactivateAt: localInputValue(form.deactivateAt),
    deactivateAfter: form.deactivateAfter === null ? "" : String(form.deactivateAfter),
  };
}

/** What PUT takes from the draft and the texts typed in Settings. */
function updateOf(draft: FormDraft, texts: SettingsTexts): FormUpdate {
  const redirect = (draft.redirectUrl ?? "").trim();
  const thankYou = (draft.thankYouText ?? "").trim();
  return {
    ...draft,
    name: draft.name.trim(),
    slug: draft.slug.trim(),
    redirectUrl: texts.afterSubmit === "redirect" && redirect ? redirect : null,
    thankYouText: thankYou ? (draft.thankYouText ?? "") : null,
    deactivateAt: isoFromLocalInput(texts.deactivateAt),
    deactivateAfter: texts.deactivateAfter.trim() === "" ? null : Number(texts.deactivateAfter.trim()),
  };
}

export function FormPage() {
  const id = Number(useParams().id);
  const query = useForm(id);
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return <Builder form={query.data} />;
}

function Builder({ form }: { form: Form }) {
  const { t } = useI18n();
  const { can } = useSession();
  const navigate = useNavigate();
  const writes = useFormWrites(form.id);
  const [params, setParams] = useSearchParams();
  const readOnly = !can("write");
  const [draft, setDraft] = useState<FormDraft>(() => editableOf(form));
  const [texts, setTexts] = useState<SettingsTexts>(() => textsOf(form));
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  // A form saved elsewhere (or by Publish) becomes the new starting point.
  const saved = useMemo(() => JSON.stringify(updateOf(editableOf(form), textsOf(form))), [form]);
  useEffect(() => {
    setDraft(editableOf(form));
    setTexts(textsOf(form));
  }, [form]);
  const update = updateOf(draft, texts);
  const dirty = JSON.stringify(update) !== saved;

  const problems = definitionProblems(draft.definition, draft);
  const redirectProblem =
    texts.afterSubmit === "redirect"
      ? (draft.redirectUrl ?? "").trim() === ""
        ? "missing"
        : redirectUrlProblem(draft.redirectUrl ?? "")
      : null;
  const afterProblem = deactivateAfterProblem(texts.deactivateAfter);
  const settingsErrors: Record<string, string | undefined> = {
    name: draft.name.trim() === "" ? t("forms.problems.nameMissing") : serverErrors.name,
    slug: serverErrors.slug,
    redirectUrl: redirectProblem ? t(`forms.problems.redirect.${redirectProblem}`) : serverErrors.redirectUrl,
    deactivateAfter: afterProblem ? t("forms.problems.deactivateAfter") : serverErrors.deactivateAfter,
    deactivateAt: serverErrors.deactivateAt,
    thankYouText: serverErrors.thankYouText,
    processingMode: serverErrors.processingMode,
    sendingAccountId: serverErrors.sendingAccountId,
  };
  const settingsInvalid = Boolean(draft.name.trim() === "" || redirectProblem || afterProblem);
  const blocked = problems.length > 0 || settingsInvalid;

  async function save(): Promise<boolean> {
    if (blocked) {
      notifyFailure(new Error(t("forms.problems.fixFirst")));
      return false;
    }
    setSaving(true);
    setFailure(null);
    try {
      await writes.save(update);
      setServerErrors({});
      notifySuccess(t("forms.saved"));
      return true;
    } catch (error) {
      const byField = fieldErrors(error, t);
      setServerErrors(byField);
      setFailure(error);
      return false;
    } finally {
      setSaving(false);
    }
  }

  async function publish() {
    if (dirty && !(await save())) return;
    await writes.publish();
    notifySuccess(t("forms.publish.published"));
  }

  const tab = (TABS as readonly string[]).includes(params.get("tab") ?? "")
    ? (params.get("tab") as Tab)
    : "fields";
  const settingsFlag = settingsInvalid || Object.values(serverErrors).some(Boolean);

  return (
    <>
      <PageHeader
        back={{ to: "/forms", label: t("nav.forms") }}
        title={
          <Group gap="sm">
            {form.name}
            <FormStatusBadge status={form.status} />
          </Group>
        }
        subtitle={`/f/${form.slug}`}
        actions={
          <>
            <Button component={Link} to={`/forms/${form.id}/submissions`} variant="default">
              {t("forms.submissions.title")}
            </Button>
            <Button component={Link} to={`/forms/${form.id}/statistics`} variant="default">
              {t("forms.statistics.title")}
            </Button>
            {!readOnly && (
              <Button onClick={save} loading={saving} disabled={!dirty} data-testid="save-form">
                {t("common.save")}
              </Button>
            )}
          </>
        }
      />
      {dirty && (
        <Badge color="blue" variant="light" mb="sm" data-testid="unsaved">
          {t("forms.unsaved")}
        </Badge>
      )}
      {failure !== null && (
        <div style={{ marginBottom: 16 }}>
          <ErrorAlert error={failure} />
        </div>
      )}
      <Tabs
        value={tab}
        onChange={(value) => setParams(value && value !== "fields" ? { tab: value } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab
            value="fields"
            rightSection={
              problems.length > 0 ? (
                <Badge color="orange" size="xs">
                  {problems.length}
                </Badge>
              ) : null
            }
          >
            {t("forms.tabs.fields")}
          </Tabs.Tab>
          <Tabs.Tab
            value="settings"
            rightSection={
              settingsFlag ? (
                <Badge color="orange" size="xs">
                  !
                </Badge>
              ) : null
            }
          >
            {t("forms.tabs.settings")}
          </Tabs.Tab>
          <Tabs.Tab value="actions">{t("forms.tabs.actions")}</Tabs.Tab>
          <Tabs.Tab value="publish">{t("forms.tabs.publish")}</Tabs.Tab>
          <Tabs.Tab value="share">{t("forms.tabs.share")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="fields">
          <FieldsTab
            definition={draft.definition}
            onChange={(definition) => setDraft((d) => ({ ...d, definition }))}
            problems={problems}
            language={draft.language}
            name={draft.name}
            readOnly={readOnly}
          />
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          <SettingsTab
            draft={draft}
            onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
            texts={texts}
            onTexts={(patch) => setTexts((x) => ({ ...x, ...patch }))}
            errors={settingsErrors}
            readOnly={readOnly}
          />
        </Tabs.Panel>
        <Tabs.Panel value="actions">
          <ActionsTab
            formId={form.id}
            actions={draft.actions}
            onChange={(actions) => setDraft((d) => ({ ...d, actions }))}
            readOnly={readOnly}
          />
        </Tabs.Panel>
        <Tabs.Panel value="publish">
          {form.status === "published" && !form.active && (
            <Alert color="orange" mb="md">
              {t(`forms.inactiveReasons.${form.inactiveReason ?? "date"}`)}
            </Alert>
          )}
          <PublishTab
            form={form}
            dirty={dirty}
            blocked={blocked}
            readOnly={readOnly}
            onPublish={publish}
            onUnpublish={async () => {
              await writes.unpublish();
              notifySuccess(t("forms.publish.unpublished"));
            }}
            onDelete={async () => {
              await writes.remove();
              notifySuccess(t("forms.deleted"));
              navigate("/forms");
            }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="share">
          <ShareTab form={form} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
