// Settings → Sending: sending accounts (SMTP servers or the local outbox, with their rate) and sending domains
// (utsend makes the DKIM key; the DNS records to publish are shown with copy buttons).
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { DnsRecord, SendingAccount, SendingDomain } from "../../api/mailing-types.ts";
import type { Items } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { accountName } from "../mailings/account-name.ts";
import { useSendingAccounts } from "../mailings/queries.ts";
import { AddForm } from "./AddForm.tsx";
import { DkimSigning } from "./DkimSigning.tsx";
import { CheckDnsButton, DnsCheckBadges } from "./DomainDnsCheck.tsx";
import { DomainPacingSettings } from "./DomainPacingSettings.tsx";
import { SendingAccountModal } from "./SendingAccountModal.tsx";
import { WarmUpSetting } from "./WarmUpSetting.tsx";

export function SendingSettings() {
  const { t } = useI18n();
  return (
    <Stack gap="xl">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("settings.sending.accounts")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.sending.accountsIntro")}
        </Text>
        <SendingAccounts />
      </Stack>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("settings.sending.domains")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("settings.sending.domainsIntro")}
        </Text>
        <SendingDomains />
      </Stack>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("settings.sending.pacing.title")}
        </Title>
        <DomainPacingSettings />
      </Stack>
    </Stack>
  );
}

function SendingAccounts() {
  const { t, formatNumber } = useI18n();
  const query = useSendingAccounts();
  const [editing, setEditing] = useState<SendingAccount | null>(null);
  const [opened, setOpened] = useState(false);

  function open(account: SendingAccount | null) {
    setEditing(account);
    setOpened(true);
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <>
      <Table verticalSpacing="xs" striped data-testid="sending-accounts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("settings.sending.name")}</Table.Th>
            <Table.Th w={140}>{t("settings.sending.kind")}</Table.Th>
            <Table.Th>{t("settings.sending.server")}</Table.Th>
            <Table.Th w={110} ta="right">
              {t("settings.sending.rateShort")}
            </Table.Th>
            <Table.Th w={110} ta="right">
              {t("settings.sending.connectionsShort")}
            </Table.Th>
            <Table.Th w={90} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {query.data.items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <Group gap={6}>
                  <Text size="sm" fw={500}>
                    {accountName(t, a)}
                  </Text>
                  {a.isDefault && (
                    <Badge size="sm" variant="light">
                      {t("settings.sending.default")}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{t(`settings.sending.kinds.${a.kind}`)}</Table.Td>
              <Table.Td>
                {a.kind === "smtp" && (
                  <Code>
                    {a.host}:{a.port}
                    {` · ${t(`settings.sending.tlsModes.${a.tlsMode}`)}`}
                    {a.username ? ` · ${a.username}` : ""}
                  </Code>
                )}
              </Table.Td>
              <Table.Td ta="right">{formatNumber(a.ratePerSecond)}</Table.Td>
              <Table.Td ta="right">{formatNumber(a.maxConnections)}</Table.Td>
              <Table.Td ta="right">
                <Button variant="subtle" size="compact-xs" onClick={() => open(a)}>
                  {t("common.edit")}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group>
        <Button variant="light" onClick={() => open(null)}>
          {t("settings.sending.newAccount")}
        </Button>
      </Group>
      <SendingAccountModal account={editing} opened={opened} onClose={() => setOpened(false)} />
    </>
  );
}

function SendingDomains() {
  const { t, formatDateTime } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["sending-domains"],
    queryFn: () => api.get<Items<SendingDomain>>("/api/sending-domains"),
  });
  const [domain, setDomain] = useState("");
  const [bounceDomain, setBounceDomain] = useState("");
  const [selector, setSelector] = useState("");
  const [shown, setShown] = useState<number | null>(null);

  async function add() {
    const created = await api.post<SendingDomain>("/api/sending-domains", {
      domain: domain.trim(),
      ...(bounceDomain.trim() ? { bounceDomain: bounceDomain.trim() } : {}),
      ...(selector.trim() ? { selector: selector.trim() } : {}),
    });
    await queryClient.invalidateQueries({ queryKey: ["sending-domains"] });
    setDomain("");
    setBounceDomain("");
    setSelector("");
    setShown(created.id);
    notifySuccess(t("settings.sending.domainAdded", { domain: created.domain }));
  }

  async function remove(d: SendingDomain) {
    await api.delete(`/api/sending-domains/${d.id}`);
    await queryClient.invalidateQueries({ queryKey: ["sending-domains"] });
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const opened = query.data.items.find((d) => d.id === shown);
  return (
    <>
      {query.data.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("settings.sending.noDomains")}
        </Text>
      ) : (
        <Table verticalSpacing="xs" striped data-testid="sending-domains">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("settings.sending.domain")}</Table.Th>
              <Table.Th>{t("settings.sending.selector")}</Table.Th>
              <Table.Th>{t("settings.sending.bounceDomain")}</Table.Th>
              <Table.Th miw={250}>{t("settings.sending.dnsCheck.title")}</Table.Th>
              <Table.Th w={170}>{t("common.created")}</Table.Th>
              <Table.Th w={230} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {query.data.items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td fw={500}>{d.domain}</Table.Td>
                <Table.Td>
                  {d.dkimSigner === "relay" ? (
                    <Text size="sm">
                      {t("settings.sending.dkimSigning.signedByRelay", {
                        selector: d.relayDkimSelector ?? "",
                      })}
                    </Text>
                  ) : (
                    <Code>{d.dkimSelector}</Code>
                  )}
                </Table.Td>
                <Table.Td>{d.bounceDomain}</Table.Td>
                <Table.Td>
                  <Stack gap={6} align="flex-start">
                    <DnsCheckBadges domain={d} />
                    <CheckDnsButton domain={d} />
                  </Stack>
                </Table.Td>
                <Table.Td>{formatDateTime(d.createdAt)}</Table.Td>
                <Table.Td>
                  <Group gap={6} justify="flex-end" wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant={shown === d.id ? "filled" : "light"}
                      onClick={() => setShown(shown === d.id ? null : d.id)}
                    >
                      {t("settings.sending.showDns")}
                    </Button>
                    <ConfirmButton
                      size="compact-xs"
                      title={t("settings.sending.removeDomainTitle")}
                      message={t("settings.sending.removeDomainConfirm", { domain: d.domain })}
                      confirmLabel={t("common.delete")}
                      onConfirm={() => remove(d)}
                    >
                      {t("common.delete")}
                    </ConfirmButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {opened && <DnsRecords domain={opened} onClose={() => setShown(null)} />}
      <AddForm
        title={t("settings.sending.addDomain")}
        submitLabel={t("common.add")}
        onSubmit={add}
        disabled={!domain.trim()}
      >
        {(errors) => (
          <>
            <TextInput
              label={t("settings.sending.domain")}
              placeholder="example.no"
              value={domain}
              onChange={(e) => setDomain(e.currentTarget.value)}
              error={errors.domain}
            />
            <TextInput
              label={t("settings.sending.bounceDomain")}
              placeholder={domain.trim() ? `bounces.${domain.trim()}` : "bounces.example.no"}
              value={bounceDomain}
              onChange={(e) => setBounceDomain(e.currentTarget.value)}
              error={errors.bounceDomain}
            />
            <TextInput
              w={160}
              label={t("settings.sending.selector")}
              placeholder={t("settings.sending.selectorAuto")}
              value={selector}
              onChange={(e) => setSelector(e.currentTarget.value)}
              error={errors.selector}
            />
          </>
        )}
      </AddForm>
    </>
  );
}

function DnsRecords({ domain, onClose }: { domain: SendingDomain; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Alert
      color="blue"
      variant="light"
      title={t("settings.sending.dnsTitle", { domain: domain.domain })}
      withCloseButton
      onClose={onClose}
      data-testid="dns-records"
    >
      <Stack gap="sm">
        <Text size="sm">{t("settings.sending.dnsIntro")}</Text>
        <Table verticalSpacing={6} bg="white">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={320}>{t("settings.sending.dnsName")}</Table.Th>
              <Table.Th w={70}>{t("settings.sending.dnsType")}</Table.Th>
              <Table.Th>{t("settings.sending.dnsValue")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {domain.dnsRecords.map((r: DnsRecord) => (
              <Table.Tr key={`${r.type}-${r.name}`}>
                <Table.Td style={{ verticalAlign: "top" }}>
                  <CopyCell value={r.name} />
                </Table.Td>
                <Table.Td style={{ verticalAlign: "top" }}>
                  <Badge variant="light" color="gray">
                    {r.type}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ verticalAlign: "top" }}>
                  <CopyCell value={r.value} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed">
          {t("settings.sending.dkimSplit")}
        </Text>
        <DkimSigning key={`${domain.id}-${domain.dkimSigner}-${domain.relayDkimSelector}`} domain={domain} />
        <WarmUpSetting key={`${domain.id}-${JSON.stringify(domain.warmUp)}`} domain={domain} />
      </Stack>
    </Alert>
  );
}

function CopyCell({ value }: { value: string }) {
  const { t } = useI18n();
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <Code style={{ wordBreak: "break-all", whiteSpace: "pre-wrap", flex: 1 }}>{value}</Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant={copied ? "filled" : "default"} onClick={copy}>
            {copied ? t("common.copied") : t("common.copy")}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
