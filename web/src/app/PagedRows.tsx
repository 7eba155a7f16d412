// A page of rows from a query: loading, the error, the empty note, or the rows and (given onOffset) the pager.
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Page } from "../api/types.ts";
import { ErrorAlert, Loading } from "./feedback.tsx";
import { Pager } from "./Pager.tsx";

export function PagedRows<Row>({
  query,
  offset,
  onOffset,
  empty,
  children,
}: {
  query: UseQueryResult<Page<Row>>;
  offset?: number;
  onOffset?: (offset: number) => void;
  empty: ReactNode;
  children: (items: Row[], total: number) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  if (query.data.items.length === 0) return empty;
  return (
    <>
      {children(query.data.items, query.data.total)}
      {onOffset && <Pager total={query.data.total} offset={offset ?? 0} onOffset={onOffset} />}
    </>
  );
}
