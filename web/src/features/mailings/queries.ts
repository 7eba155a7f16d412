// Queries the mailing pages share: one mailing, what hangs off it, and the catalogues its steps pick from.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useApi } from "../../api/context.tsx";
import type { Mailing, MergeVariables, SendingAccount, TemplateSummary } from "../../api/mailing-types.ts";
import type { Items, Page, Project } from "../../api/types.ts";

export const mailingKey = (id: number) => ["mailings", "one", id];
/** Everything read under /api/mailings/:id/… (sources, recipients, preview, attachments, progress). */
export const mailingPartsKey = (id: number) => ["mailing-parts", id];

export function useMailing(id: number) {
  const api = useApi();
  return useQuery({ queryKey: mailingKey(id), queryFn: () => api.get<Mailing>(`/api/mailings/${id}`) });
}

/** After a write that answers with the mailing: keep it, and ask again for what was derived from the old one. */
export function useMailingChanged() {
  const queryClient = useQueryClient();
  return useCallback(
    async (mailing: Mailing) => {
      queryClient.setQueryData(mailingKey(mailing.id), mailing);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: mailingPartsKey(mailing.id) }),
        queryClient.invalidateQueries({ queryKey: ["mailings", "list"] }),
        queryClient.invalidateQueries({ queryKey: ["linked-mailings"] }),
      ]);
    },
    [queryClient],
  );
}

export function useSendingAccounts() {
  const api = useApi();
  return useQuery({
    queryKey: ["sending-accounts"],
    queryFn: () => api.get<Items<SendingAccount>>("/api/sending-accounts"),
    staleTime: 60_000,
  });
}

/** The saved templates of one mailing type. */
export function useTemplates(type: TemplateSummary["type"]) {
  const api = useApi();
  return useQuery({
    queryKey: ["templates", type],
    queryFn: () => api.get<Items<TemplateSummary>>("/api/templates", { type }),
  });
}

export function useMergeVariables(formId: number | null = null) {
  const api = useApi();
  return useQuery({
    queryKey: ["merge-variables", formId],
    queryFn: () => api.get<MergeVariables>("/api/merge-variables", formId === null ? {} : { formId }),
    staleTime: 300_000,
  });
}

/** All projects by name, for pickers (the API's largest page). */
export function useAllProjects() {
  const api = useApi();
  return useQuery({
    queryKey: ["projects", "all"],
    queryFn: () => api.get<Page<Project>>("/api/projects", { limit: 500 }),
  });
}
