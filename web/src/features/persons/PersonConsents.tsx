// A person's consent per purpose, and the form that records a new consent or a withdrawal.
import {
  Badge,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useConsentPurposes } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { LegalBasis, Person } from "../../api/types.ts";
import { notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { translateKnown, useI18n } from "../../i18n/i18n.tsx";

const LEGAL_BASES: LegalBasis[] = ["consent", "contract", "legitimate-interest", "withdrawn"];

export function PersonConsents({ person }: { person: Person }) {
  const { t, formatDateTime } = useI18n();
  const { can } = useSession();
  const purposes = useConsentPurposes();
  const purposeName = (key: string) => purposes.data?.items.find((p) => p.key === key)?.name ?? key;
  // Every purpose at a glance: those the person never gave or refused show as not recorded.
  const rows = [
    ...person.consents.map((c) => ({ key: c.purpose, consent: c })),
    ...(purposes.data?.items ?? [])
      .filter((p) => !person.consents.some((c) => c.purpose === p.key))
      .map((p) => ({ key: p.key, consent: null })),
  ];

  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        {t("consents.title")}
      </Title>
      {rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("consents.none")}
        </Text>
      ) : (
        <Table.ScrollContainer
          minWidth={560}
          scrollAreaProps={{
            viewportProps: { tabIndex: 0, role: "region", "aria-label": t("consents.title") },
          }}
        >
          <Table verticalSpacing={6} data-testid="consents-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("consents.purpose")}</Table.Th>
                <Table.Th>{t("consents.legalBasis")}</Table.Th>
                <Table.Th>{t("consents.source")}</Table.Th>
                <Table.Th>{t("common.updated")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(({ key, consent: c }) => (
                <Table.Tr key={key}>
                  <Table.Td>{purposeName(key)}</Table.Td>
                  <Table.Td>
                    {c ? (
                      <Badge variant="light" color={c.legalBasis === "withdrawn" ? "red" : "green"} size="sm">
                        {t(`consents.bases.${c.legalBasis}`)}
                      </Badge>
                    ) : (
                      <Badge variant="outline" color="gray" size="sm">
                        {t("consents.notRecorded")}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{c ? translateKnown(t, `consents.sources.${c.source}`, c.source) : ""}</Table.Td>
                  <Table.Td>{c ? formatDateTime(c.updatedAt) : ""}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {can("write") && <RecordConsentForm personId={person.id} />}
    </Paper>
  );
}

function RecordConsentForm({ personId }: { personId: number }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const purposes = useConsentPurposes();
  const [purpose, setPurpose] = useState<string | null>("e-marketing");
  const [legalBasis, setLegalBasis] = useState<LegalBasis | null>("consent");
  const [comment, setComment] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await api.post(`/api/persons/${personId}/consents`, {
        purpose,
        legalBasis,
        comment: comment || undefined,
      });
      setComment("");
      await queryClient.invalidateQueries({ queryKey: ["persons"] });
      notifySuccess(t("consents.recorded"));
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(Object.keys(byField).length > 0 ? byField : { _: (error as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit}>
      <Stack gap="xs" mt="md">
        <Text fw={500} size="sm">
          {t("consents.record")}
        </Text>
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
          <Select
            label={t("consents.purpose")}
            value={purpose}
            onChange={setPurpose}
            allowDeselect={false}
            data={(purposes.data?.items ?? []).map((p) => ({ value: p.key, label: p.name }))}
            error={errors.purpose}
          />
          <Select
            label={t("consents.legalBasis")}
            value={legalBasis}
            onChange={(v) => setLegalBasis(v as LegalBasis | null)}
            allowDeselect={false}
            data={LEGAL_BASES.map((b) => ({ value: b, label: t(`consents.bases.${b}`) }))}
            error={errors.legalBasis}
          />
        </SimpleGrid>
        <TextInput
          label={t("consents.comment")}
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
          error={errors.comment ?? errors._}
        />
        <Group justify="flex-end">
          <Button type="submit" size="xs" loading={busy} disabled={!purpose || !legalBasis}>
            {t("consents.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
