// Picks one recipient of the mailing's list (eligible first), for the preview and the test send.
import { Select } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { Recipient } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";

export function RecipientPicker({
  mailingId,
  value,
  onChange,
  label,
  sms = false,
}: {
  mailingId: number;
  value: number | null;
  onChange: (id: number | null) => void;
  label: string;
  /** An SMS mailing's recipients are reached by their mobile number, though they may have an e-mail too. */
  sms?: boolean;
}) {
  const { t } = useI18n();
  const api = useApi();
  const query = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "recipient-picker"],
    queryFn: () =>
      api.get<Page<Recipient>>(`/api/mailings/${mailingId}/recipients`, { status: "eligible", limit: 500 }),
  });
  const options = (query.data?.items ?? []).map((r) => {
    const address = sms ? ((r as { mobile?: string | null }).mobile ?? null) : r.email;
    return {
      value: String(r.id),
      // A letter's recipient may have no e-mail address: then the name alone.
      label: r.name ? (address ? `${r.name} <${address}>` : r.name) : (address ?? `#${r.id}`),
    };
  });
  return (
    <Select
      label={label}
      placeholder={t("preview.sample")}
      searchable
      clearable
      w={380}
      value={value === null ? null : String(value)}
      onChange={(v) => onChange(v ? Number(v) : null)}
      data={options}
      nothingFoundMessage={query.isFetching ? t("common.loading") : t("preview.noRecipients")}
    />
  );
}
