// Queries for selections shared by the list, the selection page and the combine editor.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { Page, Selection } from "../../api/types.ts";

export function useSelection(id: number) {
  const api = useApi();
  return useQuery({
    queryKey: ["selections", "one", id],
    queryFn: () => api.get<Selection>(`/api/selections/${id}`),
  });
}

/** All selections by name, for pickers (the API's largest page). */
export function useAllSelections() {
  const api = useApi();
  return useQuery({
    queryKey: ["selections", "all"],
    queryFn: () => api.get<Page<Selection>>("/api/selections", { limit: 500 }),
  });
}
