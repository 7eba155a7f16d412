// Creates or edits a sending account: an SMTP server (host, port, TLS, credentials) or the local outbox, with
// its rate and connection limit; or for SMS an SMPP link, Twilio or the local SMS outbox, with the time zone of the
// sending window. The password is never shown; left empty on edit, it stays as it is.
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
import { useMediaQuery } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { CREATABLE_TYPES } from "../../../../src/mailings/words.ts";
import { fieldErrors } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import type { SendingAccount, SendingAccountInput } from "../../api/mailing-types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

type Kind = SendingAccount["kind"];
// The SMS kinds are offered while SMS mailings can be made.
const KINDS: Kind[] = CREATABLE_TYPES.includes("sms")
  ? ["smtp", "outbox", "smpp", "twilio", "sms-outbox"]
  : ["smtp", "outbox"];
/** Which fields each kind has, beyond name, rate and default. */
const HAS = {
  server: new Set<Kind>(["smtp", "smpp"]),
  login: new Set<Kind>(["smtp", "smpp", "twilio"]),
  connections: new Set<Kind>(["smtp", "outbox", "smpp"]),
  timeZone: new Set<Kind>(["smpp", "twilio", "sms-outbox"]),
  apiUrl: new Set<Kind>(["twilio"]),
};
const DEFAULT_TIME_ZONE = "Europe/Oslo";

type Form = {
  name: string;
  kind: Kind;
  host: string;
  port: number | string;
  secure: boolean;
  username: string;
  password: string;
  ratePerSecond: number | string;
  maxConnections: number | string;
  isDefault: boolean;
  timeZone: string;
  apiUrl: string;
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
    timeZone: account?.timeZone ?? DEFAULT_TIME_ZONE,
    apiUrl: account?.apiUrl ?? "",
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
    const server = HAS.server.has(form.kind);
    const login = HAS.login.has(form.kind);
    const body: SendingAccountInput = {
      name: form.name.trim(),
      kind: form.kind,
      host: server ? form.host.trim() || null : null,
      port: server && form.port !== "" ? Number(form.port) : null,
      secure: server && form.secure,
      username: login ? form.username.trim() || null : null,
      ratePerSecond: Number(form.ratePerSecond) || 1,
      maxConnections: HAS.connections.has(form.kind) ? Number(form.maxConnections) || 1 : 1,
      isDefault: form.isDefault,
      ...(login && form.password ? { password: form.password } : {}),
      ...(HAS.timeZone.has(form.kind) ? { timeZone: form.timeZone.trim() || DEFAULT_TIME_ZONE } : {}),
      ...(HAS.apiUrl.has(form.kind) ? { apiUrl: form.apiUrl.trim() || null } : {}),
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

  const kind = form.kind;
  const server = HAS.server.has(kind);
  const login = HAS.login.has(kind);
  const twilio = kind === "twilio";
  const narrow = useMediaQuery("(max-width: 40em)");
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
            orientation={narrow ? "vertical" : "horizontal"}
            fullWidth={narrow}
            onChange={(v) =>
              set({
                kind: v as Kind,
                ...(v === "smpp" && !account ? { port: 2775, maxConnections: 10 } : {}),
              })
            }
            data={KINDS.map((k) => ({ value: k, label: t(`settings.sending.kinds.${k}`) }))}
          />
          {kind === "outbox" && (
            <Text size="sm" c="dimmed">
              {t("settings.sending.outboxHelp")}
            </Text>
          )}
          {kind === "sms-outbox" && (
            <Text size="sm" c="dimmed">
              {t("settings.sending.smsOutboxHelp")}
            </Text>
          )}
          {server && (
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
                description={t(
                  kind === "smpp" ? "settings.sending.secureSmppHelp" : "settings.sending.secureHelp",
                )}
                checked={form.secure}
                onChange={(e) => set({ secure: e.currentTarget.checked })}
              />
            </>
          )}
          {login && (
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t(
                  twilio
                    ? "settings.sending.accountSid"
                    : kind === "smpp"
                      ? "settings.sending.systemId"
                      : "settings.sending.username",
                )}
                autoComplete="off"
                value={form.username}
                onChange={(e) => set({ username: e.currentTarget.value })}
                error={errors.username}
              />
              <PasswordInput
                label={t(twilio ? "settings.sending.authToken" : "settings.sending.password")}
                autoComplete="new-password"
                placeholder={account?.hasPassword ? t("settings.sending.passwordKept") : undefined}
                value={form.password}
                onChange={(e) => set({ password: e.currentTarget.value })}
                error={errors.password}
              />
            </SimpleGrid>
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
            {HAS.connections.has(kind) && (
              <NumberInput
                label={t(kind === "smpp" ? "settings.sending.window" : "settings.sending.maxConnections")}
                description={kind === "smpp" ? t("settings.sending.windowHelp") : undefined}
                min={1}
                max={100}
                value={form.maxConnections}
                onChange={(v) => set({ maxConnections: v })}
                error={errors.maxConnections}
              />
            )}
            {HAS.timeZone.has(kind) && (
              <TextInput
                label={t("settings.sending.timeZone")}
                description={t("settings.sending.timeZoneHelp")}
                value={form.timeZone}
                onChange={(e) => set({ timeZone: e.currentTarget.value })}
                error={errors.timeZone}
              />
            )}
          </SimpleGrid>
          {twilio && (
            <TextInput
              label={t("settings.sending.apiUrl")}
              description={t("settings.sending.apiUrlHelp")}
              type="url"
              value={form.apiUrl}
              onChange={(e) => set({ apiUrl: e.currentTarget.value })}
              error={errors.apiUrl}
            />
          )}
          <Switch
            label={t("settings.sending.isDefault")}
            checked={form.isDefault}
            onChange={(e) => set({ isDefault: e.currentTarget.checked })}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button
              type="submit"
              loading={busy}
              disabled={!form.name.trim() || (server && !form.host.trim())}
            >
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
