// Queries about one person, shared by the person page and the edit form.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { ConsentHistoryEntry, Items, Person } from "../../api/types.ts";

export function personKey(id: number) {
  return ["persons", "one", id] as const;
}

export function usePerson(id: number | null) {
  const api = useApi();
  return useQuery({
    queryKey: personKey(id ?? 0),
    queryFn: () => api.get<Person>(`/api/persons/${id}`),
    enabled: id !== null,
  });
}

export function useConsentHistory(id: number) {
  const api = useApi();
  return useQuery({
    queryKey: ["persons", "consent-history", id],
    queryFn: () => api.get<Items<ConsentHistoryEntry>>(`/api/persons/${id}/consent-history`),
  });
}
