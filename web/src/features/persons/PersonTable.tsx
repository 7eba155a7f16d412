// A table of persons (name, e-mail, mobile, company), optionally with a check box per row to pick some.
import { Anchor, Badge, Checkbox, Group, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import type { PersonSummary } from "../../api/types.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export type RowPicking = { picked: Set<number>; onChange: (picked: Set<number>) => void };

export function PersonTable({
  persons,
  picking,
  testId = "persons-table",
}: {
  persons: PersonSummary[];
  picking?: RowPicking;
  testId?: string;
}) {
  const { t } = useI18n();
  const allPicked =
    picking !== undefined && persons.length > 0 && persons.every((p) => picking.picked.has(p.id));
  const somePicked = picking !== undefined && persons.some((p) => picking.picked.has(p.id));

  function toggle(id: number, on: boolean) {
    if (!picking) return;
    const next = new Set(picking.picked);
    if (on) next.add(id);
    else next.delete(id);
    picking.onChange(next);
  }

  function toggleAll(on: boolean) {
    if (!picking) return;
    const next = new Set(picking.picked);
    for (const p of persons) {
      if (on) next.add(p.id);
      else next.delete(p.id);
    }
    picking.onChange(next);
  }

  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {picking && (
              <Table.Th w={40}>
                <Checkbox
                  aria-label={t("common.pickAll")}
                  checked={allPicked}
                  indeterminate={somePicked && !allPicked}
                  onChange={(e) => toggleAll(e.currentTarget.checked)}
                />
              </Table.Th>
            )}
            <Table.Th w="28%">{t("persons.fields.name")}</Table.Th>
            <Table.Th w="28%">{t("persons.fields.email")}</Table.Th>
            <Table.Th w="16%">{t("persons.fields.mobile")}</Table.Th>
            <Table.Th>{t("persons.fields.company")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {persons.map((person) => (
            <Table.Tr
              key={person.id}
              bg={picking?.picked.has(person.id) ? "var(--mantine-color-blue-light)" : undefined}
            >
              {picking && (
                <Table.Td>
                  <Checkbox
                    aria-label={t("common.pickRow", { name: person.fullName })}
                    checked={picking.picked.has(person.id)}
                    onChange={(e) => toggle(person.id, e.currentTarget.checked)}
                  />
                </Table.Td>
              )}
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Anchor component={Link} to={`/persons/${person.id}`} fw={500} size="sm">
                    {person.fullName || person.email || `#${person.id}`}
                  </Anchor>
                  {person.formerEmployee && (
                    <Badge size="xs" color="gray" variant="light">
                      {t("persons.formerEmployeeShort")}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" truncate>
                  {person.email}
                </Text>
              </Table.Td>
              <Table.Td>{person.mobile}</Table.Td>
              <Table.Td>
                {person.companyId ? (
                  <Anchor component={Link} to={`/companies/${person.companyId}`} size="sm">
                    {person.companyName}
                  </Anchor>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
