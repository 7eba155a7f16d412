// Creates a user with a role and a first password.
import { Button, Checkbox, Group, Modal, PasswordInput, Select, Stack, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Role } from "../../api/types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";

const ROLES: Role[] = ["admin", "marketer", "viewer"];
const BLANK = { email: "", name: "", role: "marketer" as Role, password: "", canOverrideConsent: false };

export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(BLANK);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setValues(BLANK);
    setErrors({});
    setFailure(null);
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      await api.post("/api/users", { ...values, email: values.email.trim(), name: values.name.trim() });
      await queryClient.invalidateQueries({ queryKey: ["users"] });
      notifySuccess(t("settings.users.created"));
      close();
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={t("settings.users.new")}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={failure} />
          <TextInput
            label={t("settings.users.name")}
            required
            value={values.name}
            onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
            error={errors.name}
            data-autofocus
          />
          <TextInput
            label={t("settings.users.email")}
            type="email"
            required
            value={values.email}
            onChange={(e) => setValues({ ...values, email: e.currentTarget.value })}
            error={errors.email}
          />
          <Select
            label={t("settings.users.role")}
            value={values.role}
            allowDeselect={false}
            onChange={(role) => role && setValues({ ...values, role: role as Role })}
            data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            error={errors.role}
          />
          <PasswordInput
            label={t("settings.users.password")}
            required
            autoComplete="new-password"
            value={values.password}
            onChange={(e) => setValues({ ...values, password: e.currentTarget.value })}
            error={errors.password}
          />
          {values.role === "marketer" && (
            <Checkbox
              label={t("settings.users.overrideConsent")}
              checked={values.canOverrideConsent}
              onChange={(e) => setValues({ ...values, canOverrideConsent: e.currentTarget.checked })}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("settings.users.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
