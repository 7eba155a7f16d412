// Creates or edits a sending account: an SMTP server (host, port, TLS, credentials) or the local outbox, with
// its rate and connection limit. The password is never shown; left empty on edit, it stays as it is.
import {
  Button,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { fieldErrors } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { SendingAccount, SendingAccountInput } from "../../api/mailing-types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

type Form = {
  name: string;
  kind: "smtp" | "outbox";
  host: string;
  port: number | string;
  secure: boolean;
  username: string;
  password: string;
  ratePerSecond: number | string;
  maxConnections: number | string;
  isDefault: boolean;
};

function formOf(account: SendingAccount | null): Form {
  return {
    name: account?.name ?? "",
    kind: account?.kind ?? "smtp",
    host: account?.host ?? "",
    port: account?.port ?? 587,
    secure: account?.secure ?? false,
    username: account?.username ?? "",
    password: "",
    ratePerSecond: account?.ratePerSecond ?? 10,
    maxConnections: account?.maxConnections ?? 5,
    isDefault: account?.isDefault ?? false,
  };
}

export function SendingAccountModal({
  account,
  opened,
  onClose,
}: {
  account: SendingAccount | null;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>(() => formOf(account));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setForm(formOf(account));
    setErrors({});
    setFailure(null);
  }, [opened, account]);

  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    const smtp = form.kind === "smtp";
    const body: SendingAccountInput = {
      name: form.name.trim(),
      kind: form.kind,
      host: smtp ? form.host.trim() || null : null,
      port: smtp && form.port !== "" ? Number(form.port) : null,
      secure: smtp && form.secure,
      username: smtp ? form.username.trim() || null : null,
      ratePerSecond: Number(form.ratePerSecond) || 1,
      maxConnections: Number(form.maxConnections) || 1,
      isDefault: form.isDefault,
      ...(smtp && form.password ? { password: form.password } : {}),
    };
    try {
      if (account) await api.patch(`/api/sending-accounts/${account.id}`, body);
      else await api.post("/api/sending-accounts", body);
      await queryClient.invalidateQueries({ queryKey: ["sending-accounts"] });
      notifySuccess(t("settings.saved"));
      onClose();
    } catch (error) {
      const byField = fieldErrors(error);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const smtp = form.kind === "smtp";
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="lg"
      title={account ? t("settings.sending.editAccount") : t("settings.sending.newAccount")}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={failure} />
          <TextInput
            label={t("settings.sending.name")}
            required
            data-autofocus
            value={form.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={errors.name}
          />
          <SegmentedControl
            aria-label={t("settings.sending.kind")}
            value={form.kind}
            onChange={(v) => set({ kind: v as Form["kind"] })}
            data={[
              { value: "smtp", label: t("settings.sending.kinds.smtp") },
              { value: "outbox", label: t("settings.sending.kinds.outbox") },
            ]}
          />
          {!smtp && (
            <Text size="sm" c="dimmed">
              {t("settings.sending.outboxHelp")}
            </Text>
          )}
          {smtp && (
            <>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextInput
                  label={t("settings.sending.host")}
                  required
                  value={form.host}
                  onChange={(e) => set({ host: e.currentTarget.value })}
                  error={errors.host}
                  style={{ gridColumn: "span 2" }}
                />
                <NumberInput
                  label={t("settings.sending.port")}
                  required
                  min={1}
                  max={65535}
                  value={form.port}
                  onChange={(v) => set({ port: v })}
                  error={errors.port}
                />
              </SimpleGrid>
              <Switch
                label={t("settings.sending.secure")}
                description={t("settings.sending.secureHelp")}
                checked={form.secure}
                onChange={(e) => set({ secure: e.currentTarget.checked })}
              />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput
                  label={t("settings.sending.username")}
                  autoComplete="off"
                  value={form.username}
                  onChange={(e) => set({ username: e.currentTarget.value })}
                  error={errors.username}
                />
                <PasswordInput
                  label={t("settings.sending.password")}
                  autoComplete="new-password"
                  placeholder={account?.hasPassword ? t("settings.sending.passwordKept") : undefined}
                  value={form.password}
                  onChange={(e) => set({ password: e.currentTarget.value })}
                  error={errors.password}
                />
              </SimpleGrid>
            </>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label={t("settings.sending.rate")}
              description={t("settings.sending.rateHelp")}
              min={0.1}
              step={1}
              decimalScale={2}
              value={form.ratePerSecond}
              onChange={(v) => set({ ratePerSecond: v })}
              error={errors.ratePerSecond}
            />
            <NumberInput
              label={t("settings.sending.maxConnections")}
              min={1}
              max={100}
              value={form.maxConnections}
              onChange={(v) => set({ maxConnections: v })}
              error={errors.maxConnections}
            />
          </SimpleGrid>
          <Switch
            label={t("settings.sending.isDefault")}
            checked={form.isDefault}
            onChange={(e) => set({ isDefault: e.currentTarget.checked })}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={!form.name.trim() || (smtp && !form.host.trim())}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
