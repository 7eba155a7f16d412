// Searchable company select: asks /api/companies?q= as the user types, keeps the chosen company visible.
import { Group, Select, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Company, Page } from "../../api/types.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export type PickedCompany = { id: number; name: string };

export function CompanyPicker({
  value,
  onChange,
  label,
  error,
}: {
  value: PickedCompany | null;
  onChange: (company: PickedCompany | null) => void;
  label: string;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [search, setSearch] = useState(value?.name ?? "");
  const [debounced] = useDebouncedValue(search, 250);
  // Once a company is chosen the box shows its name; searching for that name would hide the others.
  const q = value && debounced === value.name ? "" : debounced;

  const query = useQuery({
    queryKey: ["companies", "picker", q],
    queryFn: () => api.get<Page<Company>>("/api/companies", { q, limit: 20 }),
    placeholderData: keepPreviousData,
  });

  const cities = new Map((query.data?.items ?? []).map((c) => [String(c.id), c.city]));
  const options = (query.data?.items ?? []).map((c) => ({ value: String(c.id), label: c.name }));
  if (value && !options.some((o) => o.value === String(value.id))) {
    options.unshift({ value: String(value.id), label: value.name });
  }

  return (
    <Select
      label={label}
      placeholder={t("companies.pickPlaceholder")}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      value={value ? String(value.id) : null}
      onChange={(id) => {
        if (!id) return onChange(null);
        const company = query.data?.items.find((c) => String(c.id) === id);
        onChange({ id: Number(id), name: company?.name ?? value?.name ?? "" });
      }}
      data={options}
      filter={({ options: all }) => all}
      nothingFoundMessage={query.isFetching ? t("common.loading") : t("companies.noMatches")}
      renderOption={({ option }) => (
        <Group gap={6} wrap="nowrap">
          <Text size="sm">{option.label}</Text>
          {cities.get(option.value) && (
            <Text size="xs" c="dimmed">
              {cities.get(option.value)}
            </Text>
          )}
        </Group>
      )}
      error={error}
    />
  );
}
