// The audit log (admins): who signed in, exported, overrode consent or changed users, keys and settings, from where.
// Filters by action, actor and dates; 50 entries a page; Export CSV takes the same filters.
import { Button, Code, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { AUDIT_ACTIONS } from "../../../../src/audit/actions.ts";
import type { AuditEntry } from "../../../../src/audit/api-schemas.ts";
import { withQuery } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { Page } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { SearchInput } from "../../app/SearchInput.tsx";
import { type MessageKey, type Translate, useI18n } from "../../i18n/i18n.tsx";

type Filter = { action: string; actor: string; from: string; to: string };
const NO_FILTER: Filter = { action: "", actor: "", from: "", to: "" };

export function AuditLogSettings() {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [offset, setOffset] = useState(0);
  const change = (patch: Partial<Filter>) => {
    setFilter((current) => ({ ...current, ...patch }));
    setOffset(0);
  };
  const query = useQuery({
    queryKey: ["audit", filter, offset],
    queryFn: () => api.get<Page<AuditEntry>>("/api/audit", { ...filter, limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });
  const filtered = Object.values(filter).some((v) => v !== "");

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Text c="dimmed" size="sm" maw={640}>
          {t("settings.audit.intro")}
        </Text>
        <Button
          component="a"
          href={withQuery("/api/audit/export", { ...filter, format: "csv" })}
          download
          variant="default"
        >
          {t("imports.exportCsv")}
        </Button>
      </Group>
      <Group align="flex-end" gap="sm">
        <Select
          w={260}
          label={t("settings.audit.action")}
          placeholder={t("settings.audit.anyAction")}
          clearable
          searchable
          value={filter.action || null}
          onChange={(v) => change({ action: v ?? "" })}
          data={AUDIT_ACTIONS.map((a) => ({ value: a, label: t(`settings.audit.actions.${a}`) }))}
        />
        <SearchInput
          w={240}
          label={t("settings.audit.actor")}
          value={filter.actor}
          onSearch={(actor) => change({ actor })}
          placeholder={t("settings.audit.actorPlaceholder")}
        />
        <TextInput
          type="date"
          label={t("settings.audit.from")}
          value={filter.from}
          onChange={(e) => change({ from: e.currentTarget.value })}
        />
        <TextInput
          type="date"
          label={t("settings.audit.to")}
          value={filter.to}
          onChange={(e) => change({ to: e.currentTarget.value })}
        />
      </Group>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorAlert error={query.error} />
      ) : query.data.items.length === 0 ? (
        <EmptyNote
          title={filtered ? t("settings.audit.noMatches") : t("settings.audit.empty")}
          {...(filtered ? { description: t("common.tryOtherSearch") } : {})}
        />
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing={6} striped data-testid="audit-log">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={170}>{t("settings.audit.time")}</Table.Th>
                  <Table.Th>{t("settings.audit.actor")}</Table.Th>
                  <Table.Th>{t("settings.audit.action")}</Table.Th>
                  <Table.Th>{t("settings.audit.target")}</Table.Th>
                  <Table.Th>{t("settings.audit.detail")}</Table.Th>
                  <Table.Th w={130}>{t("settings.audit.ip")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {query.data.items.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td>{formatDateTime(entry.at)}</Table.Td>
                    <Table.Td>{entry.actor}</Table.Td>
                    <Table.Td>{actionLabel(entry.action, t)}</Table.Td>
                    <Table.Td>
                      {entry.targetType ? `${entry.targetType} ${entry.targetId ?? ""}` : ""}
                    </Table.Td>
                    <Table.Td>
                      {entry.detail && (
                        <Code style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
                          {JSON.stringify(entry.detail)}
                        </Code>
                      )}
                    </Table.Td>
                    <Table.Td title={entry.userAgent ?? undefined}>{entry.ip ?? ""}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager total={query.data.total} offset={offset} onOffset={setOffset} />
        </>
      )}
    </Stack>
  );
}

/** An action this UI knows by its label; one added later on the server by its own name. */
function actionLabel(action: string, t: Translate): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(action)
    ? t(`settings.audit.actions.${action}` as MessageKey)
    : action;
}
