// Step 4, Recipients: the sources as rows (the Setup link first), options, the counts (eligible, blocked by
// reason, left out without an address) and the resulting list.
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Menu,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { SOURCE_KINDS as KINDS } from "../../../../src/mailings/words.ts";
import { useApi } from "../../api/context.tsx";
import type {
  BlockReason,
  Mailing,
  MailingOptions,
  MailingSource,
  SourceKind,
} from "../../api/mailing-types.ts";
import type { Items } from "../../api/types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { isDocument } from "../documents/types.ts";
import { mailingPartsKey, useAllProjects } from "../mailings/queries.ts";
import type { StepProps } from "../mailings/step-props.ts";
import { useAllSelections } from "../selections/queries.ts";
import { isSms } from "../sms/types.ts";
import { AddSourceModal } from "./AddSourceModal.tsx";
import { BLOCK_REASONS, LEFT_OUT_REASONS, useReasonText } from "./ReasonBadge.tsx";
import { type RecipientFilter, RecipientList } from "./RecipientList.tsx";

/** How the step says who is left out, by reason (the reasons are the server's: src/db/block-reasons.ts). */
const LEFT_OUT_TEXT = {
  "no-email": "recipients.leftOut",
  "no-mobile": "sms.recipients.leftOut",
  "invalid-mobile": "sms.recipients.leftOutInvalid",
  "no-postal-address": "documents.recipients.leftOut",
} as const;

const OPTIONS: (keyof MailingOptions)[] = [
  "overrideConsent",
  "onePerAddress",
  "refreshOnSend",
  "includeCompanies",
  "preferCompany",
];

export function RecipientsStep({ mailing, editable, act }: StepProps) {
  const { t, formatNumber, formatDateTime } = useI18n();
  const api = useApi();
  const { can } = useSession();
  const reasonText = useReasonText();
  const [adding, setAdding] = useState<SourceKind | null>(null);
  const [filter, setFilter] = useState<RecipientFilter>({ status: "", reason: "" });
  const [refreshing, setRefreshing] = useState(false);
  const selections = useAllSelections();
  const projects = useAllProjects();
  const sources = useQuery({
    queryKey: [...mailingPartsKey(mailing.id), "sources"],
    queryFn: () => api.get<Items<MailingSource>>(`/api/mailings/${mailing.id}/sources`),
  });
  const base = `/api/mailings/${mailing.id}`;

  async function refresh() {
    setRefreshing(true);
    await act(() => api.post<Mailing>(`${base}/recipients/refresh`));
    setRefreshing(false);
  }

  // The list is worked out on entry when it never was (the server redoes it when Setup or a source changes).
  const resolvedOnEntry = useRef(false);
  useEffect(() => {
    if (resolvedOnEntry.current || !editable) return;
    resolvedOnEntry.current = true;
    if (mailing.recipientsResolvedAt === null) void refresh();
  });

  // The server works the list out again when an option changes.
  const setOption = (key: keyof MailingOptions, on: boolean) =>
    act(() => api.patch<Mailing>(base, { options: { [key]: on } }));

  const selectionName = selections.data?.items.find((s) => s.id === mailing.selectionId)?.name;
  const projectName = projects.data?.items.find((p) => p.id === mailing.projectId)?.name;
  const counts = mailing.recipients;
  const blocked = BLOCK_REASONS.filter((r) => (counts.blocked[r] ?? 0) > 0);
  const blockedTotal = Object.values(counts.blocked).reduce((sum, n) => sum + (n ?? 0), 0);

  /** The server names pasted sources "N addresses"; say it in the UI's language. */
  function sourceLabel(source: MailingSource): string {
    // A selection, project or person deleted since it was added has no name left.
    const label = source.label ?? "";
    const pasted = source.kind === "addresses" ? /^(\d+) address/.exec(label) : null;
    if (pasted) return t("recipients.pastedCount", { count: Number(pasted[1]) });
    const file = source.kind === "import" ? /^(.*) \((\d+) rows\)$/.exec(label) : null;
    if (file) return t("recipients.importLabel", { file: file[1]!, count: Number(file[2]) });
    return label;
  }

  function showReason(reason: BlockReason) {
    setFilter({ status: "blocked", reason });
  }

  return (
    <Stack gap="lg">
      <Fieldset legend={t("recipients.sources")}>
        <Table verticalSpacing={6} data-testid="sources-table">
          <Table.Tbody>
            {mailing.selectionId !== null && (
              <SetupRow kind="selection" label={selectionName ?? `#${mailing.selectionId}`} />
            )}
            {mailing.projectId !== null && (
              <SetupRow
                kind="project"
                label={projectName ?? `#${mailing.projectId}`}
                ignored={mailing.selectionId !== null}
              />
            )}
            {sources.data?.items.map((source) => (
              <Table.Tr key={source.id}>
                <Table.Td w={160}>
                  <Badge variant="light" color="gray">
                    {t(`recipients.kinds.${source.kind}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{sourceLabel(source)}</Table.Td>
                <Table.Td w={50} ta="right">
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    disabled={!editable}
                    aria-label={t("recipients.removeSource", { name: sourceLabel(source) })}
                    onClick={() => act(() => api.delete<Mailing>(`${base}/sources/${source.id}`))}
                  >
                    ×
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {mailing.selectionId === null &&
          mailing.projectId === null &&
          (sources.data?.items.length ?? 0) === 0 && (
            <Text size="sm" c="dimmed" my="xs">
              {t("recipients.noSources")}
            </Text>
          )}
        <ErrorAlert error={sources.error} />
        <Group mt="sm" gap="sm">
          <Menu position="bottom-start">
            <Menu.Target>
              <Button variant="light" disabled={!editable}>
                {t("recipients.addSource")}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {KINDS.map((kind) => (
                <Menu.Item key={kind} onClick={() => setAdding(kind)}>
                  {t(`recipients.addKinds.${kind}`)}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          <Button variant="default" onClick={refresh} loading={refreshing} disabled={!editable}>
            {t("recipients.refresh")}
          </Button>
        </Group>
      </Fieldset>

      <Fieldset legend={t("recipients.options")}>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
          {OPTIONS.filter((key) => key !== "overrideConsent" || can("overrideConsent")).map((key) => (
            <Checkbox
              key={key}
              label={
                key === "onePerAddress" && isSms(mailing)
                  ? t("sms.recipients.onePerNumber")
                  : key === "onePerAddress" && isDocument(mailing)
                    ? t("documents.recipients.onePerAddress")
                    : t(`recipients.optionLabels.${key}`)
              }
              description={
                key === "onePerAddress" && isSms(mailing)
                  ? t("sms.recipients.onePerNumberHelp")
                  : key === "onePerAddress" && isDocument(mailing)
                    ? t("documents.recipients.onePerAddressHelp")
                    : t(`recipients.optionHelp.${key}`)
              }
              checked={mailing.options[key]}
              disabled={!editable}
              onChange={(e) => setOption(key, e.currentTarget.checked)}
            />
          ))}
        </SimpleGrid>
      </Fieldset>

      <Paper withBorder p="md" radius="md">
        <Group gap="xl" align="flex-start" mb="md" wrap="wrap">
          <Count
            label={t("recipients.eligible")}
            value={formatNumber(counts.eligible)}
            color="green"
            id="eligible"
          />
          <Count
            label={t("recipients.blocked")}
            value={formatNumber(blockedTotal)}
            color="red"
            id="blocked"
          />
          <Stack gap={6} style={{ flex: 1 }}>
            {blocked.length > 0 && (
              <Group gap={6} data-testid="blocked-reasons">
                {blocked.map((reason) => (
                  <UnstyledButton key={reason} onClick={() => showReason(reason)}>
                    <Badge variant={filter.reason === reason ? "filled" : "light"} color="red" tt="none">
                      {reasonText(reason)}: {formatNumber(counts.blocked[reason] ?? 0)}
                    </Badge>
                  </UnstyledButton>
                ))}
              </Group>
            )}
            {counts.leftOut > 0 && (
              <Text size="sm" c="dimmed" data-testid="left-out">
                {LEFT_OUT_REASONS.flatMap((reason) => {
                  const count = counts.leftOutByReason[reason] ?? 0;
                  return count > 0 ? [t(LEFT_OUT_TEXT[reason], { count })] : [];
                }).join(" · ")}
              </Text>
            )}
            {mailing.recipientsResolvedAt && (
              <Text size="xs" c="dimmed">
                {t("recipients.resolvedAt", { when: formatDateTime(mailing.recipientsResolvedAt) })}
              </Text>
            )}
          </Stack>
        </Group>
        {mailing.recipientsResolvedAt === null ? (
          <Alert color="gray">{t("recipients.notResolved")}</Alert>
        ) : (
          <RecipientList
            key={`${filter.status}-${filter.reason}`}
            mailingId={mailing.id}
            filter={filter}
            onFilter={setFilter}
            sms={isSms(mailing)}
            document={isDocument(mailing)}
            leftOut={counts.leftOut}
          />
        )}
      </Paper>

      <AddSourceModal
        mailingId={mailing.id}
        sms={isSms(mailing)}
        kind={adding}
        onClose={() => setAdding(null)}
        onAdd={act}
      />
    </Stack>
  );
}

function SetupRow({
  kind,
  label,
  ignored,
}: {
  kind: "selection" | "project";
  label: string;
  ignored?: boolean;
}) {
  const { t } = useI18n();
  return (
    <Table.Tr data-testid={`setup-source-${kind}`}>
      <Table.Td w={160}>
        <Badge variant="light">{t(`recipients.kinds.${kind}`)}</Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm" td={ignored ? "line-through" : undefined} c={ignored ? "dimmed" : undefined}>
          {label}
        </Text>
        <Text size="xs" c="dimmed">
          {ignored ? t("recipients.projectIgnored") : t("recipients.fromSetup")}
        </Text>
      </Table.Td>
      <Table.Td />
    </Table.Tr>
  );
}

function Count({ label, value, color, id }: { label: string; value: string; color: string; id: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={`count-${id}`}>
        {value}
      </Text>
    </Stack>
  );
}
