// A one-line form under a settings table that adds an item; API problems show under their field.
import { Button, Group, Paper, Text } from "@mantine/core";
import { type FormEvent, type ReactNode, useState } from "react";
import { notifyFailure } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export function AddForm({
  title,
  submitLabel,
  onSubmit,
  disabled,
  children,
}: {
  title: string;
  submitLabel: string;
  /** Resolves when added; throws ApiError otherwise. */
  onSubmit: () => Promise<void>;
  disabled?: boolean;
  children: (errors: Record<string, string>) => ReactNode;
}) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await onSubmit();
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder p="sm" radius="sm" mt="md" bg="gray.0">
      <form onSubmit={submit} noValidate>
        <Text fw={500} size="sm" mb={6}>
          {title}
        </Text>
        <Group align="flex-start" gap="sm">
          {children(errors)}
          <Button type="submit" mt={24} loading={busy} disabled={disabled}>
            {submitLabel}
          </Button>
        </Group>
      </form>
    </Paper>
  );
}
