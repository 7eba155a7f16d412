// Adds a recipient source: a selection, a project, one person (searched by name or company), pasted addresses or an
// imported file, whose people the user confirms consented to marketing.
import { Alert, Button, Checkbox, Group, Modal, Select, Stack, Text, Textarea } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Mailing, PersonCheck, SourceKind } from "../../api/mailing-types.ts";
import type { Page, PersonSummary } from "../../api/types.ts";
import { errorText } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { RecipientImport } from "../imports/RecipientImport.tsx";
import { useAllProjects } from "../mailings/queries.ts";
import { useAllSelections } from "../selections/queries.ts";
import { parseAddresses } from "./addresses.ts";
import { useReasonText } from "./ReasonBadge.tsx";

/** A reason inside a sentence: "… får ikke denne utsendelsen: avmeldt." */
function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase() + text.slice(1);
}

export function AddSourceModal({
  mailingId,
  sms = false,
  kind,
  onClose,
  onAdd,
}: {
  mailingId: number;
  /** An SMS mailing's file is read by its mobile column. */
  sms?: boolean;
  kind: SourceKind | null;
  onClose: () => void;
  onAdd: (write: () => Promise<Mailing>) => Promise<Mailing | null>;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [refId, setRefId] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [consent, setConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const selections = useAllSelections();
  const projects = useAllProjects();

  useEffect(() => {
    if (kind === null) return;
    setRefId(null);
    setText("");
    setConsent(false);
  }, [kind]);

  const parsed = parseAddresses(text);
  const ready =
    kind === "addresses"
      ? parsed.addresses.length > 0 && parsed.invalid.length === 0 && consent
      : refId !== null;

  async function add() {
    if (!kind) return;
    setBusy(true);
    const body =
      kind === "addresses"
        ? { kind, addresses: parsed.addresses, consentConfirmed: true }
        : { kind, refId: Number(refId) };
    const result = await onAdd(() => api.post<Mailing>(`/api/mailings/${mailingId}/sources`, body));
    setBusy(false);
    if (result) onClose();
  }

  return (
    <Modal
      opened={kind !== null}
      onClose={onClose}
      title={kind ? t(`recipients.addTitles.${kind}`) : ""}
      size={kind === "addresses" || kind === "import" ? "lg" : "md"}
    >
      {kind === "import" ? (
        <RecipientImport mailingId={mailingId} sms={sms} onCancel={onClose} onAdd={onAdd} />
      ) : (
        <Stack>
          {kind === "selection" && (
            <Select
              label={t("mailings.fields.selection")}
              searchable
              data-autofocus
              value={refId}
              onChange={setRefId}
              data={(selections.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
              nothingFoundMessage={t("selections.noMatches")}
            />
          )}
          {kind === "project" && (
            <Select
              label={t("mailings.fields.project")}
              searchable
              data-autofocus
              value={refId}
              onChange={setRefId}
              data={(projects.data?.items ?? []).map((p) => ({ value: String(p.id), label: p.name }))}
              nothingFoundMessage={t("projects.noMatches")}
            />
          )}
          {kind === "person" && (
            <PersonPicker mailingId={mailingId} value={refId} onChange={setRefId} sms={sms} />
          )}
          {kind === "addresses" && (
            <>
              <Textarea
                label={t("recipients.pasteLabel")}
                description={t("recipients.pasteHelp")}
                autosize
                minRows={6}
                maxRows={16}
                data-autofocus
                styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
                value={text}
                onChange={(e) => setText(e.currentTarget.value)}
              />
              <Text size="sm" c="dimmed" data-testid="pasted-count">
                {t("recipients.pastedCount", { count: parsed.addresses.length })}
              </Text>
              {parsed.invalid.length > 0 && (
                <Alert color="red" title={t("recipients.pastedInvalid")}>
                  {parsed.invalid.slice(0, 10).map((bad) => (
                    <Text size="sm" key={bad.line}>
                      {t("recipients.line", { line: bad.line })}: {bad.text}
                    </Text>
                  ))}
                </Alert>
              )}
              <Checkbox
                required
                label={t("recipients.consentConfirm")}
                description={t("recipients.consentHelp")}
                checked={consent}
                onChange={(e) => setConsent(e.currentTarget.checked)}
              />
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button onClick={add} loading={busy} disabled={!ready}>
              {t("recipients.addSource")}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/**
 * Searchable person select: asks /api/persons?q= (name, e-mail or company) as the user types. Each person shows the
 * address this mailing would use (e-mail, or mobile for an SMS), and a person without one says so at once; once
 * chosen, the mailing's own rules say whether they would receive it, and if not why (unsubscribed, no consent …).
 */
function PersonPicker({
  mailingId,
  value,
  onChange,
  sms,
}: {
  mailingId: number;
  value: string | null;
  onChange: (id: string | null) => void;
  sms: boolean;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  const [debounced] = useDebouncedValue(search, 250);
  // Once a person is chosen the box shows their label; searching for that label would find nobody.
  const q = picked && debounced === picked.label ? "" : debounced;
  const query = useQuery({
    queryKey: ["persons", "list", "source-picker", q],
    queryFn: () => api.get<Page<PersonSummary>>("/api/persons", { q: q.trim(), limit: 20 }),
    placeholderData: keepPreviousData,
  });
  const addressOf = (p: PersonSummary) => (sms ? p.mobile : p.email);
  const options = (query.data?.items ?? []).map((p) => ({
    value: String(p.id),
    label: [
      p.fullName || p.email || `#${p.id}`,
      addressOf(p) ?? t(sms ? "recipients.noMobile" : "recipients.noEmail"),
      p.companyName,
    ]
      .filter(Boolean)
      .join(" · "),
  }));
  const chosen = query.data?.items.find((p) => String(p.id) === value);
  const check = useQuery({
    queryKey: ["mailings", mailingId, "check-person", value],
    queryFn: () =>
      api.post<PersonCheck>(`/api/mailings/${mailingId}/recipients/check-person`, {
        personId: Number(value),
      }),
    enabled: value !== null,
  });
  const reasonText = useReasonText();
  const name = chosen?.fullName || chosen?.email || picked?.label || "";
  const verdict = value !== null && check.data?.personId === Number(value) ? check.data : undefined;
  const refusal =
    chosen && !addressOf(chosen)
      ? t(sms ? "recipients.personNoMobile" : "recipients.personNoEmail", { name: chosen.fullName })
      : verdict && verdict.status !== "eligible"
        ? t("recipients.personBlocked", { name, reason: lowerFirst(reasonText(verdict.reason ?? "unknown")) })
        : check.isError
          ? errorText(t, check.error)
          : undefined;
  if (picked && value === picked.value && !options.some((o) => o.value === picked.value))
    options.unshift(picked);
  return (
    <Select
      label={t("recipients.person")}
      placeholder={t("persons.searchPlaceholder")}
      searchable
      data-autofocus
      searchValue={search}
      onSearchChange={setSearch}
      value={value}
      onChange={(id) => {
        setPicked(options.find((o) => o.value === id) ?? null);
        onChange(id);
      }}
      data={options}
      filter={({ options: all }) => all}
      nothingFoundMessage={query.isFetching ? t("common.loading") : t("persons.noMatches")}
      error={refusal}
      description={
        !refusal && verdict
          ? t(verdict.alreadyListed ? "recipients.personListed" : "recipients.personEligible", { name })
          : undefined
      }
      inputWrapperOrder={["label", "input", "description", "error"]}
      data-testid="person-picker"
    />
  );
}
