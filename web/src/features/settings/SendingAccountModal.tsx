// Creates or edits a sending account: an SMTP server (host, port, TLS mode, EHLO name, CA, credentials, and a test of
// the saved connection) or the local outbox, with
// its rate and connection limit; or for SMS an SMPP link, Twilio or the local SMS outbox, with the time zone of the
// sending window. The password is never shown; left empty on edit, it stays as it is.
import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { CREATABLE_TYPES } from "../../../../src/mailings/words.ts";
import { useApi } from "../../api/context.tsx";
import type {
  ConnectionReport,
  SendingAccount,
  SendingAccountInput,
  TlsMode,
} from "../../api/mailing-types.ts";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
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
const TLS_MODES: TlsMode[] = ["starttls-required", "starttls-opportunistic", "implicit", "none"];

type Form = {
  name: string;
  kind: Kind;
  host: string;
  port: number | string;
  /** Empty: the server decides (starttls-required, or implicit on 465, opportunistic toward localhost). */
  tlsMode: TlsMode | "";
  ehloName: string;
  caCertificate: string;
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
    tlsMode: account?.tlsMode ?? "",
    ehloName: account?.ehloName ?? "",
    caCertificate: account?.caCertificate?.pem ?? "",
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
  const { t, formatDate } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>(() => formOf(account));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [testing, setTesting] = useState(false);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [testFailure, setTestFailure] = useState<unknown>(null);

  useEffect(() => {
    if (!opened) return;
    setForm(formOf(account));
    setErrors({});
    setFailure(null);
    setReport(null);
    setTestFailure(null);
  }, [opened, account]);

  async function testConnection() {
    if (!account) return;
    setTesting(true);
    setReport(null);
    setTestFailure(null);
    try {
      setReport(await api.post<ConnectionReport>(`/api/sending-accounts/${account.id}/test-connection`));
    } catch (error) {
      setTestFailure(error);
    } finally {
      setTesting(false);
    }
  }

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
      ...(form.kind === "smtp"
        ? {
            ...(form.tlsMode ? { tlsMode: form.tlsMode } : {}),
            ehloName: form.ehloName.trim() || null,
            caCertificate: form.caCertificate.trim() || null,
          }
        : {}),
      ...(form.kind === "smpp" && form.tlsMode ? { tlsMode: form.tlsMode } : {}),
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
      const byField = fieldErrors(error, t);
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
              {kind === "smpp" ? (
                <Switch
                  label={t("settings.sending.secureSmpp")}
                  description={t("settings.sending.secureSmppHelp")}
                  checked={form.tlsMode === "implicit"}
                  onChange={(e) => set({ tlsMode: e.currentTarget.checked ? "implicit" : "none" })}
                />
              ) : (
                <>
                  <Select
                    label={t("settings.sending.tlsMode")}
                    description={t("settings.sending.tlsModeHelp")}
                    allowDeselect={false}
                    value={form.tlsMode || null}
                    placeholder={t("settings.sending.tlsModes.starttls-required")}
                    onChange={(v) => set({ tlsMode: (v ?? "") as TlsMode | "" })}
                    data={TLS_MODES.map((m) => ({ value: m, label: t(`settings.sending.tlsModes.${m}`) }))}
                    error={errors.tlsMode}
                  />
                  <TextInput
                    label={t("settings.sending.ehloName")}
                    description={t("settings.sending.ehloNameHelp", {
                      name: account?.effectiveEhloName ?? "—",
                    })}
                    placeholder={account?.effectiveEhloName ?? undefined}
                    autoComplete="off"
                    value={form.ehloName}
                    onChange={(e) => set({ ehloName: e.currentTarget.value })}
                    error={errors.ehloName}
                  />
                  <Textarea
                    label={t("settings.sending.caCertificate")}
                    description={
                      account?.caCertificate?.subject
                        ? t("settings.sending.caCertificateInfo", {
                            subject: account.caCertificate.subject,
                            validTo: formatDate(account.caCertificate.validTo),
                          })
                        : t("settings.sending.caCertificateHelp")
                    }
                    placeholder="-----BEGIN CERTIFICATE-----"
                    autosize
                    minRows={2}
                    maxRows={8}
                    styles={{ input: { fontFamily: "monospace", fontSize: "var(--mantine-font-size-xs)" } }}
                    value={form.caCertificate}
                    onChange={(e) => set({ caCertificate: e.currentTarget.value })}
                    error={errors.caCertificate}
                  />
                </>
              )}
            </>
          )}
          {kind === "smtp" && account?.problems && account.problems.length > 0 && (
            <Alert color="red" title={t("settings.sending.problems")}>
              <Stack gap={4}>
                {account.problems.map((p) => (
                  <Text key={p} size="sm">
                    {p}
                  </Text>
                ))}
              </Stack>
            </Alert>
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
          {kind === "smtp" && account && (
            <Stack gap="xs">
              <Group>
                <Button variant="light" onClick={testConnection} loading={testing}>
                  {t("settings.sending.testConnection")}
                </Button>
                <Text size="xs" c="dimmed">
                  {t("settings.sending.testConnectionHelp")}
                </Text>
              </Group>
              <ErrorAlert error={testFailure} />
              {report && (
                <Alert color="green" title={t("settings.sending.testConnectionOk")} role="status">
                  <Stack gap={4}>
                    <Text size="sm">
                      {t("settings.sending.ehloName")}: <Code>{report.ehloName}</Code>
                    </Text>
                    <Text size="sm">
                      {t("settings.sending.connectionTls")}:{" "}
                      {report.tls
                        ? `${report.tls.version}, ${report.tls.cipher}`
                        : t("settings.sending.connectionNoTls")}
                    </Text>
                    {report.tls?.certificate && (
                      <Text size="sm">
                        {t("settings.sending.connectionCertificate")}: {report.tls.certificate.subject} (
                        {t("settings.sending.connectionValidTo", {
                          when: formatDate(report.tls.certificate.validTo),
                        })}
                        )
                      </Text>
                    )}
                    <Text size="sm">
                      {t("settings.sending.connectionLogin")}:{" "}
                      {report.authenticated
                        ? t("settings.sending.connectionLoginOk")
                        : t("settings.sending.connectionLoginNone")}
                    </Text>
                    <Text size="sm">
                      {t("settings.sending.connectionExtensions")}:{" "}
                      <Code>{report.extensions.join(" · ")}</Code>
                    </Text>
                  </Stack>
                </Alert>
              )}
            </Stack>
          )}
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
