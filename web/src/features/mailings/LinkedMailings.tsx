// Mailings linked to a selection (its Mailings tab) or a project (its Activities tab).
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { MailingSummary } from "../../api/mailing-types.ts";
import type { Items } from "../../api/types.ts";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { MailingTable } from "./MailingTable.tsx";

export function LinkedMailings({ path, emptyTitle }: { path: string; emptyTitle: string }) {
  const { t } = useI18n();
  const api = useApi();
  const query = useQuery({
    queryKey: ["linked-mailings", path],
    queryFn: () => api.get<Items<MailingSummary>>(path),
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  if (query.data.items.length === 0) {
    return <EmptyNote title={emptyTitle} description={t("mailings.linkedHint")} />;
  }
  return <MailingTable mailings={query.data.items} testId="linked-mailings" />;
}
