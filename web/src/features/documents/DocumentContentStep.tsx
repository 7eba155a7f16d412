// Steps 2 and 3 for a document mailing: where the letter comes from (composed in utsend, or a Word template), then
// the letter itself: the composed body (an HTML subset: paragraphs, bold, italic, lists, images) with merge fields,
// or the Word template to download, fill in and upload again.
import {
  Alert,
  Anchor,
  Button,
  FileButton,
  Group,
  List,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
} from "@mantine/core";
import { useRef, useState } from "react";
import { flushSync } from "react-dom";
import { DOCUMENT_SOURCES } from "../../../../src/mailings/words.ts";
import { useApi } from "../../api/context.tsx";
import type { Mailing } from "../../api/mailing-types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MergeFieldMenu } from "../content/MergeFieldMenu.tsx";
import type { StepProps } from "../mailings/step-props.ts";
import { dataUri, type TemplateCheck } from "./types.ts";

/** An image in a letter travels inside the body as a data: URI; the server takes at most 5 MB of it. */
const MAX_IMAGE = 5 * 1024 * 1024;
const CODE = { input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13, lineHeight: 1.5 } };

export function DocumentTemplateStep({ values, change }: StepProps) {
  const { t } = useI18n();
  return (
    <Radio.Group
      label={t("documents.source.label")}
      value={values.docSource}
      onChange={(v) => change({ docSource: v as (typeof DOCUMENT_SOURCES)[number] })}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }} mt={6}>
        {DOCUMENT_SOURCES.map((source) => (
          <Radio.Card key={source} value={source} radius="md" p="sm" data-testid={`doc-source-${source}`}>
            <Group wrap="nowrap" align="flex-start" gap="sm">
              <Radio.Indicator />
              <div>
                <Text fw={600}>{t(`documents.source.${source}`)}</Text>
                <Text size="sm" c="dimmed">
                  {t(`documents.source.${source}Help`)}
                </Text>
              </div>
            </Group>
          </Radio.Card>
        ))}
      </SimpleGrid>
    </Radio.Group>
  );
}

export function DocumentContentStep(props: StepProps) {
  return props.values.docSource === "word" ? <WordTemplate {...props} /> : <ComposedBody {...props} />;
}

function ComposedBody({ values, change, errors, editable }: StepProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const body = values.content ?? "";

  /** Puts `before` and `after` around the selection (or `before` + `after` at the cursor) and selects inside. */
  function wrap(before: string, after = "") {
    const element = ref.current;
    const start = element?.selectionStart ?? body.length;
    const end = element?.selectionEnd ?? start;
    const inner = body.slice(start, end);
    // Rendered at once and focused in the same task: keys typed right after a toolbar click
    // must land in the text, not on the button (a space there would press it again).
    flushSync(() => change({ content: body.slice(0, start) + before + inner + after + body.slice(end) }));
    if (!element) return;
    element.focus();
    element.setSelectionRange(start + before.length, start + before.length + inner.length);
  }

  async function addImage(file: File | null) {
    setImageError(null);
    if (!file) return;
    if (!/^image\/(png|jpeg)$/.test(file.type)) return setImageError(t("documents.content.imageType"));
    if (file.size > MAX_IMAGE) return setImageError(t("documents.content.imageTooLarge"));
    wrap(`<p><img src="${await dataUri(file)}" alt="${file.name.replace(/["<>&]/g, "")}"></p>\n`);
  }

  return (
    <Stack gap="md">
      <Group gap="xs" data-testid="document-toolbar">
        <Button size="xs" variant="default" disabled={!editable} onClick={() => wrap("<p>", "</p>\n")}>
          {t("documents.content.paragraph")}
        </Button>
        <Button
          size="xs"
          variant="default"
          fw={700}
          disabled={!editable}
          onClick={() => wrap("<strong>", "</strong>")}
        >
          {t("documents.content.bold")}
        </Button>
        <Button
          size="xs"
          variant="default"
          fs="italic"
          disabled={!editable}
          onClick={() => wrap("<em>", "</em>")}
        >
          {t("documents.content.italic")}
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={!editable}
          onClick={() => wrap("<ul>\n  <li>", "</li>\n</ul>\n")}
        >
          {t("documents.content.list")}
        </Button>
        <FileButton onChange={addImage} accept="image/png,image/jpeg" disabled={!editable}>
          {(p) => (
            <Button size="xs" variant="default" {...p}>
              {t("documents.content.image")}
            </Button>
          )}
        </FileButton>
        <MergeFieldMenu onInsert={(tag) => wrap(tag)} disabled={!editable} mailingType="document" />
      </Group>
      {imageError && (
        <Alert color="red" variant="light">
          {imageError}
        </Alert>
      )}
      <Text size="xs" c="dimmed">
        {t("documents.content.help")}
      </Text>
      <Textarea
        ref={ref}
        label={t("documents.content.body")}
        required
        autosize
        minRows={14}
        maxRows={36}
        styles={CODE}
        value={body}
        onChange={(e) => change({ content: e.currentTarget.value === "" ? null : e.currentTarget.value })}
        error={errors.content}
        data-testid="document-body"
      />
    </Stack>
  );
}

function WordTemplate({ mailing, editable, act }: StepProps) {
  const { t } = useI18n();
  const api = useApi();
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [unknown, setUnknown] = useState<string[] | null>(null);
  const base = `/api/mailings/${mailing.id}`;

  async function upload(file: File | null) {
    if (!file) return;
    setFailure(null);
    setBusy(true);
    // Unsaved Setup edits are saved first; the upload's own refusal (DOCUMENT_TEMPLATE_INVALID) is shown here.
    await act(async () => {
      try {
        const check = await api.upload<TemplateCheck & { mailing: Mailing }>(
          `${base}/document-template`,
          file,
          { fileName: file.name },
          "PUT",
        );
        setUnknown(check.unknownVariables.map((v) => `[[${v}]]`));
        notifySuccess(t("documents.word.uploaded", { name: file.name }));
        return check.mailing;
      } catch (error) {
        setFailure(error);
        return await api.get<Mailing>(base);
      }
    });
    setBusy(false);
  }

  return (
    <Stack gap="md">
      <Text size="sm">{t("documents.word.help")}</Text>
      <Group gap="sm">
        <Button component="a" variant="default" href="/api/documents/starter-template?language=nb" download>
          {t("documents.word.starterNb")}
        </Button>
        <Button component="a" variant="default" href="/api/documents/starter-template?language=en" download>
          {t("documents.word.starterEn")}
        </Button>
      </Group>
      <Group gap="sm" align="center">
        <FileButton
          onChange={upload}
          accept="application/vnd.openxmlformats-officedocument.wordprocessingml.document,.docx"
          disabled={!editable}
        >
          {(p) => (
            <Button {...p} loading={busy} data-testid="upload-word-template">
              {mailing.docTemplateName ? t("documents.word.replace") : t("documents.word.upload")}
            </Button>
          )}
        </FileButton>
        {mailing.docTemplateName ? (
          <Text size="sm" data-testid="word-template-name">
            {t("documents.word.current")}{" "}
            <Anchor href={`${base}/document-template`} download>
              {mailing.docTemplateName}
            </Anchor>
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            {t("documents.word.none")}
          </Text>
        )}
      </Group>
      <ErrorAlert error={failure} />
      {/* The step's problem list keeps naming them after this visit. */}
      {unknown && unknown.length > 0 && (
        <Alert color="yellow" title={t("documents.word.unknownTitle")} data-testid="unknown-fields">
          <List size="sm">
            {unknown.map((v) => (
              <List.Item key={v}>{v}</List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}
