// The builder's Publish tab (status, published version, whether the page takes submissions and why not, Publish and
// Unpublish, Delete) and Share tab (the hosted page's address and the iframe and script snippets, each with Copy).
import { Alert, Anchor, Button, Code, CopyButton, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { DetailList } from "../../app/DetailList.tsx";
import { notifyFailure } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { ActiveBadge, FormStatusBadge } from "./FormStatusBadge.tsx";
import type { Form } from "./types.ts";

type PublishProps = {
  form: Form;
  dirty: boolean;
  blocked: boolean;
  readOnly: boolean;
  onPublish: () => Promise<unknown>;
  onUnpublish: () => Promise<unknown>;
  onDelete: () => Promise<unknown>;
};

export function PublishTab({
  form,
  dirty,
  blocked,
  readOnly,
  onPublish,
  onUnpublish,
  onDelete,
}: PublishProps) {
  const { t, formatDateTime } = useI18n();
  const [busy, setBusy] = useState<"publish" | "unpublish" | null>(null);

  async function run(which: "publish" | "unpublish", action: () => Promise<unknown>) {
    setBusy(which);
    try {
      await action();
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Stack gap="lg" maw={760}>
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          {t("forms.publish.title")}
        </Title>
        <DetailList
          testId="publish-details"
          rows={[
            { label: t("forms.status"), value: <FormStatusBadge status={form.status} /> },
            {
              label: t("forms.publish.version"),
              value:
                form.publishedVersion > 0 ? String(form.publishedVersion) : t("forms.publish.neverPublished"),
            },
            {
              label: t("forms.activeColumn"),
              value: <ActiveBadge active={form.active} reason={form.inactiveReason} />,
            },
            { label: t("forms.updatedAt"), value: formatDateTime(form.updatedAt) },
          ]}
        />
        {dirty && (
          <Alert color="blue" mt="md">
            {t("forms.publish.unsaved")}
          </Alert>
        )}
        {blocked && (
          <Alert color="orange" mt="md">
            {t("forms.publish.blocked")}
          </Alert>
        )}
        {form.status === "published" && !dirty && (
          <Text size="sm" c="dimmed" mt="md">
            {t("forms.publish.republishHint")}
          </Text>
        )}
        {!readOnly && (
          <Group mt="md">
            <Button loading={busy === "publish"} disabled={blocked} onClick={() => run("publish", onPublish)}>
              {form.status === "published" ? t("forms.publish.republish") : t("forms.publish.publish")}
            </Button>
            {form.status === "published" && (
              <Button
                variant="default"
                loading={busy === "unpublish"}
                onClick={() => run("unpublish", onUnpublish)}
              >
                {t("forms.publish.unpublish")}
              </Button>
            )}
          </Group>
        )}
      </Paper>
      {!readOnly && (
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            {t("forms.publish.deleteTitle")}
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            {t("forms.publish.deleteHint")}
          </Text>
          <ConfirmButton
            title={t("forms.publish.deleteTitle")}
            message={t("forms.publish.deleteConfirm", { name: form.name })}
            confirmLabel={t("common.delete")}
            onConfirm={onDelete}
          >
            {t("common.delete")}
          </ConfirmButton>
        </Paper>
      )}
    </Stack>
  );
}

function Snippet({
  title,
  hint,
  code,
  testId,
}: {
  title: string;
  hint: string;
  code: string;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <Paper withBorder p="md" radius="md" data-testid={testId}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {title}
        </Title>
        <CopyButton value={code}>
          {({ copied, copy }) => (
            <Button
              size="xs"
              variant={copied ? "filled" : "default"}
              onClick={copy}
              aria-label={`${t("common.copy")}: ${title}`}
            >
              {copied ? t("common.copied") : t("common.copy")}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="sm" c="dimmed" mb="xs">
        {hint}
      </Text>
      {/* A long snippet scrolls sideways: a Tab stop with a name, so the keyboard can scroll it too. */}
      <Code block tabIndex={0} role="region" aria-label={title}>
        {code}
      </Code>
    </Paper>
  );
}

export function ShareTab({ form }: { form: Form }) {
  const { t } = useI18n();
  return (
    <Stack gap="lg" maw={860}>
      <Title order={2} size="h4">
        {t("forms.share.title")}
      </Title>
      {!form.active && (
        <Alert color="orange">
          {t("forms.share.inactive", {
            reason: t(`forms.inactiveReasons.${form.inactiveReason ?? "draft"}`),
          })}
        </Alert>
      )}
      <Paper withBorder p="md" radius="md" data-testid="hosted-url">
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h5">
            {t("forms.share.hosted")}
          </Title>
          <CopyButton value={form.hostedUrl}>
            {({ copied, copy }) => (
              <Button
                size="xs"
                variant={copied ? "filled" : "default"}
                onClick={copy}
                aria-label={`${t("common.copy")}: ${t("forms.share.hosted")}`}
              >
                {copied ? t("common.copied") : t("common.copy")}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Anchor href={form.hostedUrl} target="_blank" rel="noopener" data-testid="hosted-link">
          {form.hostedUrl}
        </Anchor>
      </Paper>
      <Snippet
        title={t("forms.share.iframe")}
        hint={t("forms.share.iframeHint")}
        code={form.embed.iframe}
        testId="embed-iframe"
      />
      <Snippet
        title={t("forms.share.script")}
        hint={t("forms.share.scriptHint")}
        code={form.embed.script}
        testId="embed-script"
      />
    </Stack>
  );
}
