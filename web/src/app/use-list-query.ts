// One list page's data: its filters and page offset kept in the URL (useListParams), the page of rows fetched for
// them, and whether any filter is set (an empty list then says "no matches" rather than "nothing yet").
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../api/context.tsx";
import type { Page } from "../api/types.ts";
import { PAGE_SIZE } from "./Pager.tsx";
import { useListParams } from "./use-list-params.ts";

export function useListQuery<Row, K extends string>(resource: string, path: string, filters: readonly K[]) {
  const api = useApi();
  const { values, offset, set } = useListParams(filters);
  const params = Object.fromEntries(filters.map((k) => [k, values[k].trim()]));
  const query = useQuery({
    queryKey: [resource, "list", values, offset],
    queryFn: () => api.get<Page<Row>>(path, { ...params, limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });
  const filtered = filters.some((k) => values[k] !== "");
  return { query, values, offset, set, filtered };
}
