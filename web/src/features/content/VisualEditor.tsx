// The visual e-mail editor: GrapesJS with its MJML preset (what Mautic ships), loaded as its own chunk so the rest of
// the UI does not grow. It edits the mailing's MJML: blocks (rows and columns, text, heading, image, button, divider,
// spacer, social links, HTML) by drag and drop, merge fields and the special links from menus, pictures from the
// image library, saved blocks shared by all users, desktop and mobile preview, undo and redo. GrapesJS's own panels
// speak the UI's language: its Norwegian locale, with our words (web/src/i18n) for what we and grapesjs-mjml add.
import "grapesjs/dist/css/grapes.min.css";
import "./VisualEditor.css";
import {
  Button,
  FileButton,
  Group,
  Menu,
  Modal,
  Popover,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import grapesjs, { type Component, type Editor } from "grapesjs";
import grapesNb from "grapesjs/locale/nb.mjs";
import grapesJSMJMLModule from "grapesjs-mjml";
import { useEffect, useRef, useState } from "react";
import type { LibraryImage, SavedBlock } from "../../../../src/editor/api-schemas.ts";
import { useApi } from "../../api/context.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { type Language, messagesOf, useI18n } from "../../i18n/i18n.tsx";
import { MergeFieldMenu } from "./MergeFieldMenu.tsx";

type Props = {
  value: string;
  onChange: (mjml: string) => void;
  editable: boolean;
  mailingType: string;
  formId: number | null;
};

const LINKS = ["link.unsubscribe", "link.subscriptions", "link.viewOnline"] as const;
const BLOCKS = [
  "mj-1-column",
  "mj-2-columns",
  "mj-3-columns",
  "mj-text",
  "mj-image",
  "mj-button",
  "mj-divider",
  "mj-spacer",
  "mj-social-group",
  "mj-raw",
] as const;
const BLOCK_LABELS: Record<string, string> = {
  "mj-1-column": "columns1",
  "mj-2-columns": "columns2",
  "mj-3-columns": "columns3",
  "mj-text": "text",
  "mj-image": "image",
  "mj-button": "button",
  "mj-divider": "divider",
  "mj-spacer": "spacer",
  "mj-social-group": "social",
  "mj-raw": "html",
};
const PANEL_WORDS: Record<
  string,
  "style" | "settings" | "layers" | "blocks" | "code" | "preview" | "fullscreen" | "outline"
> = {
  "open-sm": "style",
  "open-tm": "settings",
  "open-layers": "layers",
  "open-blocks": "blocks",
  "export-template": "code",
  preview: "preview",
  fullscreen: "fullscreen",
  "sw-visibility": "outline",
};
const EMPTY =
  "<mjml><mj-body><mj-section><mj-column><mj-text></mj-text></mj-column></mj-section></mj-body></mjml>";
// A grey box for a new image block, so no placeholder is fetched from another site.
const PLACEHOLDER =
  "data:image/svg+xml;charset=utf-8,%3Csvg xmlns='http://www.w3.org/2000/svg' width='600' height='240'%3E%3Crect width='600' height='240' fill='%23dde1e6'/%3E%3C/svg%3E";

// grapesjs-mjml ships a UMD bundle: the bundler's default import is the module object with the plugin on `default`.
const grapesJSMJML =
  (grapesJSMJMLModule as unknown as { default?: typeof grapesJSMJMLModule }).default ?? grapesJSMJMLModule;

type Tree = { [key: string]: string | Tree };

/** `over`'s words on top of `base`, key by key. */
function merged(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    out[key] = typeof value === "object" && typeof below === "object" ? merged(below, value) : value;
  }
  return out;
}

/**
 * GrapesJS's messages for the UI's language: its own locale (Norwegian; English is built in) under our words for the
 * panel buttons, the style sectors and properties, the settings (traits) and the picker. grapesjs-mjml's words go to
 * the plugin's own `i18n` option, since it adds its English after the editor's messages are set.
 */
function editorMessages(language: Language) {
  const { mjml, rte, ...core } = messagesOf(language).mailings.content.editor.gjs;
  const base = (language === "nb" ? grapesNb : {}) as Tree;
  return {
    core: merged(base, core as unknown as Tree),
    mjml: { "grapesjs-mjml": { category: "", ...mjml } },
    rte,
  };
}

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export default function VisualEditor({ value, onChange, editable, mailingType, formId }: Props) {
  const { t, language } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const container = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Editor | null>(null);
  const last = useRef(value);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const [device, setDevice] = useState<"desktop" | "mobile">("desktop");
  const [history, setHistory] = useState({ undo: false, redo: false });
  const [link, setLink] = useState({ open: false, url: "https://", text: "" });
  const [block, setBlock] = useState({ open: false, name: "" });
  const [uploading, setUploading] = useState(false);
  const images = useQuery({
    queryKey: ["images"],
    queryFn: () => api.get<{ items: LibraryImage[] }>("/api/images"),
  });
  const savedBlocks = useQuery({
    queryKey: ["saved-blocks"],
    queryFn: () => api.get<{ items: SavedBlock[] }>("/api/saved-blocks"),
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is made once; later values come from it.
  useEffect(() => {
    if (!container.current) return;
    const words = editorMessages(language);
    const editor = grapesjs.init({
      container: container.current,
      i18n: {
        locale: language,
        localeFallback: "en",
        detectLocale: false,
        messagesAdd: { [language]: words.core },
      },
      height: "720px",
      fromElement: false,
      storageManager: false,
      plugins: [
        (e) =>
          grapesJSMJML(e, {
            blocks: [...BLOCKS],
            block: (id: string) => ({
              label: t(
                `mailings.content.editor.blocks.${BLOCK_LABELS[id] ?? "text"}` as "mailings.content.editor.blocks.text",
              ),
            }),
            imagePlaceholderSrc: PLACEHOLDER,
            useCustomTheme: false,
            i18n: { [language]: words.mjml },
          }),
      ],
      assetManager: { assets: [], upload: false },
      // GrapesJS would load Font Awesome from a CDN: no third party learns who edits e-mails, so its panel buttons
      // get words instead (below).
      cssIcons: "",
      // GrapesJS reports each editor load to app.grapesjs.com unless told not to.
      telemetry: false,
    });
    for (const panel of editor.Panels.getPanels().models)
      for (const button of panel.get("buttons")?.models ?? []) {
        if (!String(button.get("className") ?? "").includes("fa ")) continue;
        const word = PANEL_WORDS[button.id];
        button.set({
          className: "utsend-gjs-word",
          label: word
            ? t(`mailings.content.editor.panel.${word}`)
            : (button.get("attributes")?.title ?? button.id),
        });
      }
    editor.Panels.getButton("views", "open-blocks")?.set("active", true);
    // The text toolbar's buttons (bold, italic, link…) carry English titles that GrapesJS does not translate; the
    // toolbar is made when the editor loads, and its buttons again when a text is first edited.
    const translateTextToolbar = () => {
      for (const action of editor.RichTextEditor.getAll()) {
        const title = (words.rte as Record<string, string>)[action.name];
        if (title) action.btn?.setAttribute("title", title);
      }
    };
    editor.on("rte:enable", translateTextToolbar);
    // grapesjs-mjml gives the alignment and font-style choices Font Awesome icons, which are not loaded: without the
    // class each choice shows its (translated) word instead of an empty box. Runs after the plugin's own onReady,
    // which sets the sectors up, and before the style panel is first drawn.
    editor.onReady(() => {
      for (const sector of editor.StyleManager.getSectors().models)
        for (const property of sector.getProperties()) {
          if (property.getType() !== "radio") continue;
          const options = (
            property as unknown as { getOptions(): Array<Record<string, unknown>> }
          ).getOptions();
          property.set({
            options: options.map(({ className: _icon, ...option }) => option),
            list: undefined,
          });
        }
    });
    editor.on("load", () => {
      translateTextToolbar();
      editor.Canvas.getFrameEl()?.setAttribute("title", t("mailings.content.editor.canvasTitle"));
      // The side panel scrolls: it must be reachable from the keyboard.
      const side = container.current?.querySelector(".gjs-pn-views-container");
      side?.setAttribute("tabindex", "0");
      side?.setAttribute("role", "region");
      side?.setAttribute("aria-label", t("mailings.content.editor.panel.blocks"));
    });
    editor.Blocks.add("utsend-heading", {
      label: t("mailings.content.editor.blocks.heading"),
      content: `<mj-text font-size="26px" line-height="1.25" font-weight="700">${t("mailings.content.editor.defaults.heading")}</mj-text>`,
      media: '<svg viewBox="0 0 24 24"><path fill="currentColor" d="M5 4v3h5.5v12h3V7H19V4z"/></svg>',
    });
    editor.setComponents(value.trim() ? value : EMPTY);
    editor.UndoManager.clear();
    const changed = () => {
      setHistory({ undo: editor.UndoManager.hasUndo(), redo: editor.UndoManager.hasRedo() });
      const mjml = editor.getHtml();
      if (mjml !== last.current) {
        last.current = mjml;
        onChangeRef.current(mjml);
      }
    };
    editor.on("update", changed);
    editor.on("change:changesCount", changed);
    editorRef.current = editor;
    return () => {
      editorRef.current = null;
      editor.destroy();
    };
  }, []);

  // The library's pictures in GrapesJS's own picker (double-click an image), and the saved blocks in its block list.
  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || !images.data) return;
    editor.AssetManager.add(images.data.items.map((i) => ({ src: i.url, name: i.originalName })));
  }, [images.data]);
  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || !savedBlocks.data) return;
    for (const b of savedBlocks.data.items)
      editor.Blocks.add(`saved-${b.id}`, {
        label: b.name,
        category: t("mailings.content.editor.savedBlocks"),
        content: b.mjml,
      });
  }, [savedBlocks.data, t]);

  useEffect(() => {
    editorRef.current?.setDevice(device === "mobile" ? "Mobile portrait" : "Desktop");
  }, [device]);

  /** The column to add a new block to: the selection's, else the last one of the message. */
  function targetColumn(editor: Editor): Component | undefined {
    const selected = editor.getSelected();
    const column = selected?.is("mj-column") ? selected : selected?.closestType("mj-column");
    if (column) return column;
    const columns = editor.getWrapper()?.find("mj-column") ?? [];
    return columns[columns.length - 1];
  }

  /** HTML at the cursor of the text being edited; else at the end of the selected text block; else in a new one. */
  function insert(html: string) {
    const editor = editorRef.current;
    if (!editor || !editable) return;
    const rte = editor.RichTextEditor.globalRte;
    const editing = editor.getEditing();
    if (editing && rte) {
      rte.insertHTML(html);
      editing.trigger("change:content");
      return;
    }
    const selected = editor.getSelected();
    if (selected?.is("mj-text")) {
      selected.append(html);
      return;
    }
    const column = targetColumn(editor);
    const [added] = column?.append(`<mj-text>${html}</mj-text>`) ?? [];
    if (added) editor.select(added);
  }

  const insertLink = () => {
    const url = link.url.trim();
    if (!/^https?:\/\/\S+\.\S+/.test(url)) return;
    insert(`<a href="${escapeAttr(url)}">${escapeText(link.text.trim() || url)}</a>`);
    setLink({ open: false, url: "https://", text: "" });
  };

  async function uploadImage(file: File | null) {
    const editor = editorRef.current;
    if (!file || !editor) return;
    setUploading(true);
    try {
      const image = await api.upload<LibraryImage>("/api/images", file, { filename: file.name });
      editor.AssetManager.add({ src: image.url, name: image.originalName });
      await queryClient.invalidateQueries({ queryKey: ["images"] });
      const selected = editor.getSelected();
      if (selected?.is("mj-image")) selected.addAttributes({ src: image.url });
      else
        targetColumn(editor)?.append(
          `<mj-image src="${escapeAttr(image.url)}" alt="${escapeAttr(image.originalName.replace(/\.[a-z]+$/i, ""))}" />`,
        );
    } catch (error) {
      notifyFailure(error);
    } finally {
      setUploading(false);
    }
  }

  async function saveBlock() {
    const editor = editorRef.current;
    const selected = editor?.getSelected();
    const section = selected?.is("mj-section") ? selected : selected?.closestType("mj-section");
    if (!editor || !section) {
      notifyFailure(new Error(t("mailings.content.editor.selectSection")));
      return;
    }
    try {
      const name = block.name.trim();
      await api.post("/api/saved-blocks", { name, mjml: section.toHTML() });
      await queryClient.invalidateQueries({ queryKey: ["saved-blocks"] });
      notifySuccess(t("mailings.content.editor.blockSaved", { name }));
      setBlock({ open: false, name: "" });
    } catch (error) {
      notifyFailure(error);
    }
  }

  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="wrap" data-testid="visual-toolbar">
        <Button
          size="xs"
          variant="default"
          onClick={() => editorRef.current?.UndoManager.undo()}
          disabled={!history.undo || !editable}
        >
          {t("mailings.content.editor.undo")}
        </Button>
        <Button
          size="xs"
          variant="default"
          onClick={() => editorRef.current?.UndoManager.redo()}
          disabled={!history.redo || !editable}
        >
          {t("mailings.content.editor.redo")}
        </Button>
        <SegmentedControl
          size="xs"
          aria-label={t("mailings.content.editor.previewSize")}
          value={device}
          onChange={(v) => setDevice(v as "desktop" | "mobile")}
          data={[
            { value: "desktop", label: t("mailings.content.editor.desktop") },
            { value: "mobile", label: t("mailings.content.editor.mobile") },
          ]}
        />
        <MergeFieldMenu onInsert={insert} disabled={!editable} mailingType={mailingType} formId={formId} />
        <Menu position="bottom-start" shadow="md" returnFocus={false}>
          <Menu.Target>
            <Button size="xs" variant="light" disabled={!editable}>
              {t("mailings.content.editor.links")}
            </Button>
          </Menu.Target>
          <Menu.Dropdown data-testid="special-link-menu">
            {LINKS.map((l) => {
              const label = t(
                `mailings.content.links.${l.slice(5) as "unsubscribe" | "subscriptions" | "viewOnline"}`,
              );
              return (
                <Menu.Item key={l} onClick={() => insert(`<a href="[[${l}]]">${escapeText(label)}</a>`)}>
                  {label}
                </Menu.Item>
              );
            })}
            <Menu.Item onClick={() => setLink((s) => ({ ...s, open: true }))}>
              {t("mailings.content.editor.trackedLink")}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
        <Modal
          opened={link.open}
          onClose={() => setLink((s) => ({ ...s, open: false }))}
          title={t("mailings.content.editor.trackedLink")}
        >
          <Stack gap="xs" data-testid="tracked-link-form">
            <TextInput
              label={t("mailings.content.editor.linkUrl")}
              value={link.url}
              onChange={(e) => setLink({ ...link, url: e.currentTarget.value })}
            />
            <TextInput
              label={t("mailings.content.editor.linkText")}
              value={link.text}
              onChange={(e) => setLink({ ...link, text: e.currentTarget.value })}
            />
            <Button onClick={insertLink} disabled={!/^https?:\/\/\S+\.\S+/.test(link.url.trim())}>
              {t("mailings.content.editor.insertLink")}
            </Button>
          </Stack>
        </Modal>
        <FileButton
          onChange={uploadImage}
          accept="image/jpeg,image/png,image/gif,image/webp"
          disabled={!editable}
        >
          {(props) => (
            <Button {...props} size="xs" variant="light" loading={uploading} disabled={!editable}>
              {t("mailings.content.editor.uploadImage")}
            </Button>
          )}
        </FileButton>
        <Popover
          opened={block.open}
          onChange={(open) => setBlock((s) => ({ ...s, open }))}
          trapFocus
          withArrow
        >
          <Popover.Target>
            <Button
              size="xs"
              variant="default"
              disabled={!editable}
              onClick={() => setBlock((s) => ({ ...s, open: !s.open }))}
            >
              {t("mailings.content.editor.saveBlock")}
            </Button>
          </Popover.Target>
          <Popover.Dropdown>
            <Group align="flex-end" gap="xs">
              <TextInput
                label={t("mailings.content.editor.blockName")}
                value={block.name}
                onChange={(e) => setBlock({ ...block, name: e.currentTarget.value })}
              />
              <Button size="xs" onClick={saveBlock} disabled={!block.name.trim()}>
                {t("common.save")}
              </Button>
            </Group>
          </Popover.Dropdown>
        </Popover>
      </Group>
      <Text size="xs" c="dimmed">
        {t("mailings.content.editor.insertHelp")}
      </Text>
      <div ref={container} className="utsend-visual-editor" data-testid="visual-editor" />
    </Stack>
  );
}
