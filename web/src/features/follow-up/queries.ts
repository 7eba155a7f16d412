// Queries of a sent mailing's follow-up tabs, and the number formats they share. While the mailing sends, the
// figures are read again every 10 s, and so is the mailing itself (the Overview tab's poll is not mounted here).
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Query } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { Mailing, MailingStatus } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingKey } from "../mailings/queries.ts";
import type { MailingStatistics, RowQuery, TrackedLink } from "./types.ts";

const LIVE: MailingStatus[] = ["sending", "paused"];
const REFRESH_MS = 10_000;

export const followUpKey = (mailingId: number) => ["follow-up", mailingId];

const every = (status: MailingStatus) => (LIVE.includes(status) ? REFRESH_MS : false);

/** The mailing, read again while it sends so the tabs stop refreshing once it has finished. */
export function useLiveMailing(mailing: Mailing) {
  const api = useApi();
  useQuery({
    queryKey: mailingKey(mailing.id),
    queryFn: () => api.get<Mailing>(`/api/mailings/${mailing.id}`),
    refetchInterval: every(mailing.status),
  });
}

export function useStatistics(mailing: Mailing) {
  const api = useApi();
  useLiveMailing(mailing);
  return useQuery({
    queryKey: [...followUpKey(mailing.id), "statistics"],
    queryFn: () => api.get<MailingStatistics>(`/api/mailings/${mailing.id}/statistics`),
    refetchInterval: every(mailing.status),
  });
}

export function useLinks(mailingId: number, refetchInterval: number | false = false) {
  const api = useApi();
  return useQuery({
    queryKey: [...followUpKey(mailingId), "links"],
    queryFn: () => api.get<TrackedLink[]>(`/api/mailings/${mailingId}/links`),
    refetchInterval,
  });
}

export const linksRefresh = (mailing: Mailing) => every(mailing.status);

/** The query string the API reads for a set of rows (filters=a,b&linkId=&search=). */
export function rowParams(rows: RowQuery): Query {
  return {
    filters: rows.filters.length > 0 ? rows.filters.join(",") : undefined,
    linkId: rows.linkId ?? undefined,
    search: rows.search || undefined,
  };
}

/** Percent with one decimal in the user's language ("12,5 %" / "12.5%"); a missing rate is a dash. */
export function usePercent() {
  const { language } = useI18n();
  return useMemo(() => {
    const format = new Intl.NumberFormat(language === "nb" ? "nb-NO" : "en-GB", {
      style: "percent",
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    return (fraction: number | null) => (fraction === null ? "–" : format.format(fraction));
  }, [language]);
}
