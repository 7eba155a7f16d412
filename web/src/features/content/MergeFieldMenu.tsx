// "Insert merge field": the variables of GET /api/merge-variables by group, searchable, described in the UI's
// language; picking one hands `[[path]]` to the editor.
import { Button, Menu, ScrollArea, Text } from "@mantine/core";
import { useState } from "react";
import { errorText } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useMergeVariables } from "../mailings/queries.ts";

type Entry = { path: string; description: string };

export function MergeFieldMenu({
  onInsert,
  disabled,
  mailingType = "email",
  formId = null,
}: {
  onInsert: (tag: string) => void;
  disabled?: boolean;
  /** Offers the groups that apply to this kind of mailing. */
  mailingType?: string;
  /** A form response's form: its fields are offered as `form.<key>`. */
  formId?: number | null;
}) {
  const { t, language } = useI18n();
  const query = useMergeVariables(mailingType === "form" ? formId : null);
  const [search, setSearch] = useState("");

  const groups: { label: string; entries: Entry[] }[] = (query.data?.groups ?? [])
    .filter((g) => (g.types as readonly string[]).includes(mailingType))
    .map((g) => ({
      label: language === "nb" ? g.nb : g.en,
      entries: g.variables
        .filter((v) => !v.types || (v.types as readonly string[]).includes(mailingType))
        .map((v) => ({ path: v.path, description: language === "nb" ? v.nb : v.en })),
    }));
  const answers = mailingType === "form" ? (query.data?.formFields ?? []) : [];
  const formGroup = groups.find((g) => g.entries.some((e) => e.path === "form.receipt"));
  if (formGroup)
    formGroup.entries.unshift(
      ...answers.map((f) => ({ path: `form.${f.key}`, description: language === "nb" ? f.nb : f.en })),
    );
  const custom = query.data?.customFields ?? [];
  if (custom.length > 0) {
    groups.push({
      label: t("mailings.content.customFields"),
      entries: custom.map((f) => ({ path: `customer.${f.key}`, description: f.label })),
    });
  }
  const needle = search.trim().toLowerCase();
  const shown = groups
    .map((g) => ({
      ...g,
      entries: g.entries.filter(
        (e) =>
          !needle || e.path.toLowerCase().includes(needle) || e.description.toLowerCase().includes(needle),
      ),
    }))
    .filter((g) => g.entries.length > 0);

  return (
    // The editor takes the focus back itself, with the cursor after the inserted field.
    <Menu width={380} position="bottom-start" shadow="md" returnFocus={false} onClose={() => setSearch("")}>
      <Menu.Target>
        <Button variant="light" size="xs" disabled={disabled}>
          {t("mailings.content.insertField")}
        </Button>
      </Menu.Target>
      <Menu.Dropdown data-testid="merge-field-menu">
        <Menu.Search
          placeholder={t("mailings.content.searchFields")}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        <ScrollArea.Autosize mah={360}>
          {query.isPending && <Menu.Label>{t("common.loading")}</Menu.Label>}
          {query.isError && <Menu.Label>{errorText(t, query.error)}</Menu.Label>}
          {shown.map((group) => (
            <div key={group.label}>
              <Menu.Label>{group.label}</Menu.Label>
              {group.entries.map((entry) => (
                <Menu.Item key={entry.path} onClick={() => onInsert(`[[${entry.path}]]`)}>
                  <Text size="sm" ff="monospace">
                    {entry.path}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {entry.description}
                  </Text>
                </Menu.Item>
              ))}
            </div>
          ))}
        </ScrollArea.Autosize>
      </Menu.Dropdown>
    </Menu>
  );
}
