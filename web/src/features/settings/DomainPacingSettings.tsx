// Per-recipient-domain pacing (admin): each rule's domains share a rate and a bound in flight; every other domain has
// the default. Saved whole through PUT /api/settings; the server names the rule and field of each problem.
import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { DomainPacing, Settings } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

type Row = { name: string; domains: string; rate: number | string; inFlight: number | string };

const toRow = (r: DomainPacing["rules"][number]): Row => ({
  name: r.name,
  domains: r.domains.join(", "),
  rate: r.ratePerSecond ?? "",
  inFlight: r.maxInFlight ?? "",
});
const orNull = (v: number | string) => (v === "" ? null : Number(v));

export function DomainPacingSettings() {
  const { t } = useI18n();
  const api = useApi();
  const query = useQuery({ queryKey: ["settings"], queryFn: () => api.get<Settings>("/api/settings") });
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <Stack gap="sm" data-testid="domain-pacing">
      <Text size="sm" c="dimmed">
        {t("settings.sending.pacing.intro")}
      </Text>
      <PacingForm key={JSON.stringify(query.data.domainPacing)} pacing={query.data.domainPacing} />
    </Stack>
  );
}

function PacingForm({ pacing }: { pacing: DomainPacing }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<Row[]>(pacing.rules.map(toRow));
  const [other, setOther] = useState({
    rate: pacing.otherDomains.ratePerSecond ?? ("" as number | string),
    inFlight: pacing.otherDomains.maxInFlight ?? ("" as number | string),
  });
  const [busy, setBusy] = useState(false);
  const change = (i: number, patch: Partial<Row>) =>
    setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  async function save(next: DomainPacing | null) {
    setBusy(true);
    try {
      await api.put<Settings>("/api/settings", { domainPacing: next });
      await queryClient.invalidateQueries({ queryKey: ["settings"] });
      notifySuccess(t("settings.sending.pacing.saved"));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const current = (): DomainPacing => ({
    rules: rows.map((r) => ({
      name: r.name.trim(),
      domains: r.domains
        .split(/[\s,]+/)
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
      ratePerSecond: orNull(r.rate),
      maxInFlight: orNull(r.inFlight),
    })),
    otherDomains: { ratePerSecond: orNull(other.rate), maxInFlight: orNull(other.inFlight) },
  });

  return (
    <>
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing={6} aria-label={t("settings.sending.pacing.title")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("settings.sending.pacing.name")}</Table.Th>
              <Table.Th scope="col">{t("settings.sending.pacing.domains")}</Table.Th>
              <Table.Th scope="col">{t("settings.sending.pacing.rate")}</Table.Th>
              <Table.Th scope="col">{t("settings.sending.pacing.inFlight")}</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>{t("settings.sending.pacing.removeColumn")}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place while edited.
              <Table.Tr key={i}>
                <Table.Td>
                  <TextInput
                    aria-label={t("settings.sending.pacing.name")}
                    value={r.name}
                    onChange={(e) => change(i, { name: e.currentTarget.value })}
                  />
                </Table.Td>
                <Table.Td>
                  <TextInput
                    aria-label={t("settings.sending.pacing.domains")}
                    value={r.domains}
                    onChange={(e) => change(i, { domains: e.currentTarget.value })}
                  />
                </Table.Td>
                <Table.Td>
                  <NumberInput
                    w={110}
                    aria-label={t("settings.sending.pacing.rate")}
                    min={0.1}
                    decimalScale={2}
                    value={r.rate}
                    onChange={(v) => change(i, { rate: v })}
                  />
                </Table.Td>
                <Table.Td>
                  <NumberInput
                    w={110}
                    aria-label={t("settings.sending.pacing.inFlight")}
                    min={1}
                    value={r.inFlight}
                    onChange={(v) => change(i, { inFlight: v })}
                  />
                </Table.Td>
                <Table.Td>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t("settings.sending.pacing.remove", { name: r.name || "–" })}
                    onClick={() => setRows((all) => all.filter((_, j) => j !== i))}
                  >
                    ×
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Th scope="row" colSpan={2}>
                {t("settings.sending.pacing.otherDomains")}
              </Table.Th>
              <Table.Td>
                <NumberInput
                  w={110}
                  aria-label={`${t("settings.sending.pacing.otherDomains")}: ${t("settings.sending.pacing.rate")}`}
                  min={0.1}
                  decimalScale={2}
                  value={other.rate}
                  onChange={(v) => setOther((o) => ({ ...o, rate: v }))}
                />
              </Table.Td>
              <Table.Td>
                <NumberInput
                  w={110}
                  aria-label={`${t("settings.sending.pacing.otherDomains")}: ${t("settings.sending.pacing.inFlight")}`}
                  min={1}
                  value={other.inFlight}
                  onChange={(v) => setOther((o) => ({ ...o, inFlight: v }))}
                />
              </Table.Td>
              <Table.Td />
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed">
        {t("settings.sending.pacing.help")}
      </Text>
      <Group>
        <Button
          variant="default"
          size="compact-sm"
          onClick={() => setRows((all) => [...all, { name: "", domains: "", rate: "", inFlight: "" }])}
        >
          {t("settings.sending.pacing.addRule")}
        </Button>
        <Button size="compact-sm" loading={busy} onClick={() => save(current())}>
          {t("common.save")}
        </Button>
        <Button variant="subtle" size="compact-sm" disabled={busy} onClick={() => save(null)}>
          {t("settings.sending.pacing.builtIn")}
        </Button>
      </Group>
    </>
  );
}
