// Starts a mailing: a blank draft, a copy of an earlier mailing, or a draft from a saved template; opens the wizard.
// Started from a selection or a project, the mailing is linked to it and sends to its members.
import { Button, Group, Modal, Radio, Select, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { CREATABLE_TYPES } from "../../../../src/mailings/words.ts";
import { useApi } from "../../api/context.tsx";
import type { Mailing, MailingSummary } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MailingTypeChoice } from "../sms/MailingTypeChoice.tsx";
import type { MailingType } from "../sms/types.ts";
import { useTemplates } from "./queries.ts";

type Start = "blank" | "copy" | "template";

/** What a mailing started from a selection's or a project's page is linked to and sends to. */
export type MailingTarget = { kind: "selection" | "project"; id: number; name: string };

export function NewMailingModal({
  opened,
  onClose,
  target,
}: {
  opened: boolean;
  onClose: () => void;
  target?: MailingTarget;
}) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [type, setType] = useState<MailingType>("email");
  const [start, setStart] = useState<Start>("blank");
  const [copyOf, setCopyOf] = useState<string | null>(null);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const templates = useTemplates(type === "sms" ? "sms" : "email");

  function close() {
    setName("");
    setType("email");
    setStart("blank");
    setCopyOf(null);
    setTemplateId(null);
    setErrors({});
    setFailure(null);
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      let mailing: Mailing;
      if (start === "copy" && copyOf) {
        const copy = await api.post<Mailing>(`/api/mailings/${copyOf}/copy`);
        mailing = name.trim()
          ? await api.patch<Mailing>(`/api/mailings/${copy.id}`, { name: name.trim() })
          : copy;
      } else {
        mailing = await api.post<Mailing>("/api/mailings", { name: name.trim(), type });
        if (start === "template" && templateId) {
          mailing = await api.post<Mailing>(`/api/mailings/${mailing.id}/apply-template`, {
            templateId: Number(templateId),
          });
        }
      }
      if (target) {
        mailing = await api.patch<Mailing>(`/api/mailings/${mailing.id}`, {
          [target.kind === "selection" ? "selectionId" : "projectId"]: target.id,
        });
        await api.post(`/api/mailings/${mailing.id}/sources`, { kind: target.kind, refId: target.id });
      }
      await queryClient.invalidateQueries({ queryKey: ["mailings"] });
      close();
      // Without a step in the address the wizard opens the first one that is not complete.
      navigate(`/mailings/${mailing.id}`);
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const ready =
    start === "copy" ? Boolean(copyOf) : name.trim() !== "" && (start === "blank" || Boolean(templateId));

  return (
    <Modal opened={opened} onClose={close} title={t("mailings.newTitle")} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={failure} />
          {target && (
            <Text size="sm" data-testid="new-mailing-target">
              {t(target.kind === "selection" ? "mailings.fromSelection" : "mailings.fromProject", {
                name: target.name,
              })}
            </Text>
          )}
          <TextInput
            label={t("mailings.fields.name")}
            description={start === "copy" ? t("mailings.newCopyNameHint") : undefined}
            required={start !== "copy"}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            data-autofocus
          />
          {CREATABLE_TYPES.length > 1 && (
            <MailingTypeChoice
              value={type}
              onChange={(next) => {
                setType(next);
                setTemplateId(null);
                // Saved templates are e-mails and texts: a letter starts blank or as a copy.
                if (next === "document" && start === "template") setStart("blank");
              }}
            />
          )}
          <Radio.Group label={t("mailings.startFrom")} value={start} onChange={(v) => setStart(v as Start)}>
            <Stack gap="xs" mt={6}>
              <Radio value="blank" label={t("mailings.starts.blank")} />
              <Radio value="copy" label={t("mailings.starts.copy")} />
              {type !== "document" && <Radio value="template" label={t("mailings.starts.template")} />}
            </Stack>
          </Radio.Group>
          {start === "copy" && (
            <MailingPicker label={t("mailings.starts.copyPick")} value={copyOf} onChange={setCopyOf} />
          )}
          {start === "template" && (
            <Select
              label={t("mailings.template.pick")}
              searchable
              value={templateId}
              onChange={setTemplateId}
              nothingFoundMessage={t("mailings.template.none")}
              data={(templates.data?.items ?? []).map((tpl) => ({ value: String(tpl.id), label: tpl.name }))}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={!ready}>
              {t("mailings.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Searchable select over earlier mailings (asks the API as the user types). */
export function MailingPicker({
  label,
  value,
  onChange,
  exceptId,
  type,
}: {
  label: string;
  value: string | null;
  onChange: (id: string | null) => void;
  exceptId?: number;
  /** Only mailings of this type. */
  type?: MailingSummary["type"];
}) {
  const { t } = useI18n();
  const api = useApi();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  const query = useQuery({
    queryKey: ["mailings", "list", "picker", type ?? "any", debounced],
    queryFn: () =>
      api.get<Page<MailingSummary>>("/api/mailings", {
        q: debounced.trim(),
        limit: 20,
        ...(type ? { type } : {}),
      }),
    placeholderData: keepPreviousData,
  });
  const options = (query.data?.items ?? [])
    .filter((m) => m.id !== exceptId)
    .map((m) => ({ value: String(m.id), label: m.name }));
  return (
    <Select
      label={label}
      placeholder={t("mailings.searchPlaceholder")}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      value={value}
      onChange={onChange}
      data={options}
      filter={({ options: all }) => all}
      nothingFoundMessage={query.isFetching ? t("common.loading") : t("mailings.noMatches")}
    />
  );
}
