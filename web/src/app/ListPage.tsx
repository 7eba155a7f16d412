// The frame every list page shares: header with actions, filters, then loading, error, empty (with or without
// filters) or the rows and the pager.
import { Group, Paper } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Page } from "../api/types.ts";
import { EmptyNote } from "./feedback.tsx";
import { PagedRows } from "./PagedRows.tsx";
import { PageHeader } from "./PageHeader.tsx";

export type ListPageProps<Row> = {
  title: string;
  actions?: ReactNode;
  filters: ReactNode;
  list: {
    query: UseQueryResult<Page<Row>>;
    offset: number;
    filtered: boolean;
    set: (changes: { offset: number }) => void;
  };
  /** Shown when the list is empty: `noMatches` with filters set, `empty` without. */
  empty: { title: string; hint: string; action?: ReactNode };
  noMatches: { title: string; hint: string };
  rows: (items: Row[]) => ReactNode;
  children?: ReactNode;
};

export function ListPage<Row>({
  title,
  actions,
  filters,
  list,
  empty,
  noMatches,
  rows,
  children,
}: ListPageProps<Row>) {
  const { query, offset, filtered, set } = list;
  return (
    <>
      <PageHeader title={title} actions={actions} />
      <Paper withBorder p="md" radius="md">
        <Group mb="md" align="flex-end" gap="sm">
          {filters}
        </Group>
        <PagedRows
          query={query}
          offset={offset}
          onOffset={(o) => set({ offset: o })}
          empty={
            filtered ? (
              <EmptyNote title={noMatches.title} description={noMatches.hint} />
            ) : (
              <EmptyNote title={empty.title} description={empty.hint} action={empty.action} />
            )
          }
        >
          {rows}
        </PagedRows>
      </Paper>
      {children}
    </>
  );
}
