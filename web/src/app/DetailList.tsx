// Label–value pairs of a record (a person's or a company's details); empty values show as a dash.
import { DataList, Text } from "@mantine/core";
import type { ReactNode } from "react";

export type Detail = { label: string; value: ReactNode };

export function DetailList({
  rows,
  labelWidth = 150,
  testId,
}: {
  rows: Detail[];
  labelWidth?: number;
  testId?: string;
}) {
  return (
    <DataList withDivider labelWidth={labelWidth} data-testid={testId}>
      {rows.map((row) => (
        <DataList.Item key={row.label}>
          <DataList.ItemLabel>{row.label}</DataList.ItemLabel>
          <DataList.ItemValue>
            {row.value === null || row.value === undefined || row.value === "" ? (
              <Text c="dimmed">–</Text>
            ) : (
              row.value
            )}
          </DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}
