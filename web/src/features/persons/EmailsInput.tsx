// Several e-mail addresses for one person, exactly one of them primary (the one mailings use).
import { ActionIcon, Button, Group, Radio, Stack, TextInput } from "@mantine/core";
import { useI18n } from "../../i18n/i18n.tsx";

export type EmailRow = { id: number; address: string; primary: boolean };

let lastRowId = 0;
export function emailRow(address: string, primary: boolean): EmailRow {
  lastRowId += 1;
  return { id: lastRowId, address, primary };
}

export function EmailsInput({
  rows,
  onChange,
  errors,
}: {
  rows: EmailRow[];
  onChange: (rows: EmailRow[]) => void;
  errors: (string | undefined)[];
}) {
  const { t } = useI18n();
  const update = (index: number, change: Partial<EmailRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const makePrimary = (index: number) => onChange(rows.map((row, i) => ({ ...row, primary: i === index })));
  const remove = (index: number) => {
    const next = rows.filter((_, i) => i !== index);
    if (next.length > 0 && !next.some((r) => r.primary)) next[0] = { ...next[0]!, primary: true };
    onChange(next);
  };

  return (
    <Stack gap={6}>
      {rows.map((row, index) => (
        <Group key={row.id} align="flex-start" gap="xs" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            type="email"
            label={index === 0 ? t("persons.fields.email") : undefined}
            aria-label={index === 0 ? undefined : `${t("persons.fields.email")} ${index + 1}`}
            value={row.address}
            onChange={(e) => update(index, { address: e.currentTarget.value })}
            error={errors[index]}
          />
          {rows.length > 1 && (
            <>
              <Radio
                mt={index === 0 ? 32 : 8}
                label={t("persons.primary")}
                checked={row.primary}
                onChange={() => makePrimary(index)}
              />
              <ActionIcon
                mt={index === 0 ? 28 : 4}
                variant="subtle"
                color="gray"
                aria-label={t("persons.removeEmail")}
                onClick={() => remove(index)}
              >
                ×
              </ActionIcon>
            </>
          )}
        </Group>
      ))}
      <Group>
        <Button
          variant="subtle"
          size="compact-sm"
          onClick={() => onChange([...rows, emailRow("", rows.length === 0)])}
        >
          {t("persons.addEmail")}
        </Button>
      </Group>
    </Stack>
  );
}
