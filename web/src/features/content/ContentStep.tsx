// Step 3, Content: MJML in the visual editor (a lazily loaded chunk) or as code, or HTML as code; an optional text
// part; merge fields inserted at the cursor, the unsubscribe / subscriptions / view-online links, attachments.
import {
  Button,
  Divider,
  Group,
  Input,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
} from "@mantine/core";
import { lazy, Suspense, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { ContentFormat } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import type { StepProps } from "../mailings/step-props.ts";
import { Attachments } from "./Attachments.tsx";
import { MergeFieldMenu } from "./MergeFieldMenu.tsx";

type Part = "content" | "textContent";
const LINKS = ["link.unsubscribe", "link.subscriptions", "link.viewOnline"] as const;
const VisualEditor = lazy(() => import("./VisualEditor.tsx"));
const CODE = { input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13, lineHeight: 1.5 } };

export function ContentStep({ mailing, values, change, errors, editable }: StepProps) {
  const { t, language } = useI18n();
  const refs = { content: useRef<HTMLTextAreaElement>(null), textContent: useRef<HTMLTextAreaElement>(null) };
  const target = useRef<Part>("content");
  const [view, setView] = useState<"visual" | "code">("visual");
  const visual = values.contentFormat === "mjml" && view === "visual";

  function insert(tag: string) {
    const part = target.current;
    const element = refs[part].current;
    const current = values[part] ?? "";
    const start = element?.selectionStart ?? current.length;
    const end = element?.selectionEnd ?? start;
    // Rendered and focused in the same task, so keys typed right after the menu land in the text.
    flushSync(() => change({ [part]: current.slice(0, start) + tag + current.slice(end) }));
    if (!element) return;
    element.focus();
    element.setSelectionRange(start + tag.length, start + tag.length);
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Input.Wrapper label={t("mailings.fields.contentFormat")}>
          <div>
            <SegmentedControl
              mt={4}
              aria-label={t("mailings.fields.contentFormat")}
              value={values.contentFormat}
              onChange={(v) => change({ contentFormat: v as ContentFormat })}
              disabled={!editable}
              data={[
                { value: "html", label: "HTML" },
                { value: "mjml", label: "MJML" },
              ]}
            />
          </div>
        </Input.Wrapper>
        {values.contentFormat === "mjml" && (
          <Input.Wrapper label={t("mailings.content.editor.view")}>
            <div>
              <SegmentedControl
                mt={4}
                aria-label={t("mailings.content.editor.view")}
                value={view}
                onChange={(v) => setView(v as "visual" | "code")}
                data={[
                  { value: "visual", label: t("mailings.content.editor.visual") },
                  { value: "code", label: t("mailings.content.editor.code") },
                ]}
              />
            </div>
          </Input.Wrapper>
        )}
        <Group gap="xs" data-testid="content-toolbar" style={visual ? { display: "none" } : undefined}>
          <MergeFieldMenu
            onInsert={insert}
            disabled={!editable}
            mailingType={mailing.type}
            formId={values.formId}
          />
          {LINKS.map((link) => (
            <Button
              key={link}
              size="xs"
              variant="default"
              disabled={!editable}
              onClick={() => insert(`[[${link}]]`)}
              title={`[[${link}]]`}
            >
              {t(`mailings.content.links.${link.slice(5) as "unsubscribe" | "subscriptions" | "viewOnline"}`)}
            </Button>
          ))}
        </Group>
      </Group>
      {visual ? (
        <Suspense fallback={<Loader size="sm" aria-label={t("mailings.content.editor.loading")} />}>
          {/* Remade when the UI's language changes: GrapesJS takes its words once, when it starts. */}
          <VisualEditor
            key={language}
            value={values.content ?? ""}
            onChange={(content) => change({ content })}
            editable={editable}
            mailingType={mailing.type}
            formId={values.formId}
          />
          {errors.content && (
            <Text size="sm" c="red" role="alert">
              {errors.content}
            </Text>
          )}
        </Suspense>
      ) : (
        <>
          <Text size="xs" c="dimmed">
            {values.contentFormat === "mjml"
              ? `${t("mailings.content.mjmlHelp")} ${t("mailings.content.editor.codeHelp")}`
              : t("mailings.content.htmlHelp")}
          </Text>
          <Textarea
            ref={refs.content}
            label={t("mailings.fields.content")}
            autosize
            minRows={16}
            maxRows={36}
            spellCheck={false}
            styles={CODE}
            value={values.content ?? ""}
            onFocus={() => {
              target.current = "content";
            }}
            onChange={(e) => change({ content: e.currentTarget.value })}
            error={errors.content}
            data-testid="content-editor"
          />
        </>
      )}
      <Textarea
        ref={refs.textContent}
        label={t("mailings.fields.textContent")}
        description={t("mailings.content.textHelp")}
        autosize
        minRows={5}
        maxRows={20}
        spellCheck={false}
        styles={CODE}
        value={values.textContent ?? ""}
        onFocus={() => {
          target.current = "textContent";
        }}
        onChange={(e) => change({ textContent: e.currentTarget.value === "" ? null : e.currentTarget.value })}
        error={errors.textContent}
      />
      <Divider />
      <Attachments mailingId={mailing.id} editable={editable} />
    </Stack>
  );
}
