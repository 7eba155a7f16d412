// The controls of a mailing-behaviour criterion: what the person did (or did not), in which mailing, and for
// clicks which link. The link list comes from the mailing's tracked links; without it, "any link" is the choice.
import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { MailingSummary } from "../../api/mailing-types.ts";
import type { MailingCriterion, MailingEvent, Page } from "../../api/types.ts";
import { type MessageKey, useI18n } from "../../i18n/i18n.tsx";
import { eventNeedsMailing, MAILING_EVENTS, withEvent } from "./criteria.ts";

type TrackedLink = { id: number; url: string; clicks: number; uniqueClickers: number };
const ANY = "any";

export function MailingCriterionControls({
  criterion,
  onChange,
  label,
}: {
  criterion: MailingCriterion;
  onChange: (criterion: MailingCriterion) => void;
  label: (what: MessageKey) => string;
}) {
  const { t } = useI18n();
  return (
    <>
      <Select
        w={200}
        aria-label={label("criteria.behaviour")}
        value={`${criterion.op}:${criterion.event}`}
        allowDeselect={false}
        onChange={(v) => {
          if (!v) return;
          const [op, event] = v.split(":") as [MailingCriterion["op"], MailingEvent];
          onChange({ ...withEvent(criterion, event), op });
        }}
        data={(["did", "didNot"] as const).flatMap((op) =>
          MAILING_EVENTS.map((event) => ({
            value: `${op}:${event}`,
            label: t(`criteria.mailingEvents.${op}.${event}`),
          })),
        )}
      />
      <MailingSelect
        label={label("criteria.mailing")}
        value={criterion.mailingId}
        optional={!eventNeedsMailing(criterion.event)}
        onChange={(mailingId) => {
          const { linkId: _drop, mailingId: _old, ...rest } = criterion;
          onChange(mailingId === undefined ? rest : { ...rest, mailingId });
        }}
      />
      {criterion.event === "clicked" && criterion.mailingId !== undefined && (
        <LinkSelect
          label={label("criteria.link")}
          mailingId={criterion.mailingId}
          value={criterion.linkId}
          onChange={(linkId) => {
            const { linkId: _drop, ...rest } = criterion;
            onChange(linkId === undefined ? rest : { ...rest, linkId });
          }}
        />
      )}
    </>
  );
}

/** Searches mailings as the user types; the chosen one stays listed even when the search would not find it. */
function MailingSelect({
  label,
  value,
  optional,
  onChange,
}: {
  label: string;
  value: number | undefined;
  optional: boolean;
  onChange: (mailingId: number | undefined) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  const list = useQuery({
    queryKey: ["mailings", "list", "criteria-picker", debounced],
    queryFn: () => api.get<Page<MailingSummary>>("/api/mailings", { q: debounced.trim(), limit: 30 }),
    placeholderData: keepPreviousData,
  });
  const chosen = useQuery({
    queryKey: ["mailings", "detail", value],
    queryFn: () => api.get<MailingSummary>(`/api/mailings/${value}`),
    enabled: value !== undefined,
    retry: false,
  });
  const items = list.data?.items ?? [];
  const options = items.map((m) => ({ value: String(m.id), label: m.name }));
  if (value !== undefined && !items.some((m) => m.id === value))
    options.unshift({ value: String(value), label: chosen.data?.name ?? `#${value}` });
  return (
    <Select
      w={240}
      aria-label={label}
      placeholder={optional ? t("criteria.anyMailing") : t("criteria.pickMailing")}
      searchable
      clearable={optional}
      onSearchChange={setSearch}
      value={value === undefined ? null : String(value)}
      onChange={(id) => onChange(id ? Number(id) : undefined)}
      data={options}
      filter={({ options: all }) => all}
      nothingFoundMessage={list.isFetching ? t("common.loading") : t("mailings.noMatches")}
    />
  );
}

function LinkSelect({
  label,
  mailingId,
  value,
  onChange,
}: {
  label: string;
  mailingId: number;
  value: number | undefined;
  onChange: (linkId: number | undefined) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  // Until the server lists a mailing's links (or when it fails), the only choice is any link.
  const links = useQuery({
    queryKey: ["mailings", "links", mailingId],
    queryFn: () => api.get<TrackedLink[] | { items: TrackedLink[] }>(`/api/mailings/${mailingId}/links`),
    retry: false,
  });
  const listed = Array.isArray(links.data) ? links.data : (links.data?.items ?? []);
  const options = [
    { value: ANY, label: t("criteria.anyLink") },
    ...listed.map((l) => ({ value: String(l.id), label: l.url })),
  ];
  if (value !== undefined && !listed.some((l) => l.id === value))
    options.push({ value: String(value), label: `#${value}` });
  return (
    <Select
      w={240}
      aria-label={label}
      value={value === undefined ? ANY : String(value)}
      allowDeselect={false}
      searchable={listed.length > 8}
      onChange={(id) => onChange(id && id !== ANY ? Number(id) : undefined)}
      data={options}
    />
  );
}
