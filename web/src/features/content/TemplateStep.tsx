// Step 2, Template: start blank, from a saved template, or with the content of an earlier mailing of the same
// type; save the content as a template. An SMS mailing's templates and copies carry its text and SMS settings.
import {
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { StarterTemplateSummary } from "../../../../src/mailings/api-schemas.ts";
import { useApi } from "../../api/context.tsx";
import type { Mailing, TemplateSummary } from "../../api/mailing-types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { MailingPicker } from "../mailings/NewMailingModal.tsx";
import { useTemplates } from "../mailings/queries.ts";
import type { StepProps } from "../mailings/step-props.ts";
import { isSms, mailingType, smsFields } from "../sms/types.ts";

export function TemplateStep({ mailing, values, editable, act, goTo }: StepProps) {
  const { t, formatDateTime, language } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const sms = isSms(mailing);
  const type = mailingType(mailing);
  const templates = useTemplates(type);
  const [copyOf, setCopyOf] = useState<string | null>(null);
  const [templateName, setTemplateName] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [starterLanguage, setStarterLanguage] = useState<"nb" | "en">(language === "en" ? "en" : "nb");
  const starters = useQuery({
    queryKey: ["starter-templates"],
    queryFn: () => api.get<{ items: StarterTemplateSummary[] }>("/api/starter-templates"),
    enabled: mailing.type === "email" || mailing.type === "form",
    staleTime: Number.POSITIVE_INFINITY,
  });
  const hasContent = Boolean((sms ? smsFields(values).smsText : values.content)?.trim());

  async function run(key: string, write: () => Promise<Mailing>, done: string) {
    setBusy(key);
    const result = await act(write);
    setBusy(null);
    if (result) {
      notifySuccess(done);
      goTo("content");
    }
  }

  const startBlank = () =>
    run(
      "blank",
      () =>
        sms || mailing.content !== null
          ? Promise.resolve(mailing)
          : api.patch<Mailing>(`/api/mailings/${mailing.id}`, { content: "" }),
      t("mailings.template.blankChosen"),
    );

  const applyTemplate = (template: TemplateSummary) =>
    run(
      `template-${template.id}`,
      () => api.post<Mailing>(`/api/mailings/${mailing.id}/apply-template`, { templateId: template.id }),
      t("mailings.template.applied", { name: template.name }),
    );

  const applyStarter = (starter: StarterTemplateSummary) =>
    run(
      `starter-${starter.key}`,
      () => api.post<Mailing>(`/api/mailings/${mailing.id}/apply-starter`, { key: starter.key }),
      t("mailings.template.starter.applied", { name: starter.name }),
    );

  const copyContent = () =>
    run(
      "copy",
      async () => {
        const source = await api.get<Mailing>(`/api/mailings/${copyOf}`);
        if (sms) {
          const { smsText, smsNormalize, smsOptOutLine } = smsFields(source);
          return api.patch<Mailing>(`/api/mailings/${mailing.id}`, { smsText, smsNormalize, smsOptOutLine });
        }
        return api.patch<Mailing>(`/api/mailings/${mailing.id}`, {
          contentFormat: source.contentFormat,
          content: source.content ?? "",
          textContent: source.textContent,
          ...(values.subject ? {} : { subject: source.subject }),
        });
      },
      t("mailings.template.copied"),
    );

  async function saveAsTemplate() {
    setBusy("save");
    try {
      const saved = await act(() => Promise.resolve(mailing));
      if (!saved) return;
      await api.post(`/api/mailings/${mailing.id}/save-as-template`, { name: templateName.trim() });
      await queryClient.invalidateQueries({ queryKey: ["templates"] });
      setTemplateName("");
      notifySuccess(t("mailings.template.savedAs"));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(null);
    }
  }

  async function deleteTemplate(template: TemplateSummary) {
    await api.delete(`/api/templates/${template.id}`);
    await queryClient.invalidateQueries({ queryKey: ["templates"] });
  }

  const replaceNote = hasContent ? t("mailings.template.replaces") : undefined;
  const items = templates.data?.items ?? [];

  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder padding="md">
          <Text fw={600}>{t("mailings.template.blankTitle")}</Text>
          <Text size="sm" c="dimmed" mt={4} mb="md">
            {t(sms ? "sms.template.blankHelp" : "mailings.template.blankHelp")}
          </Text>
          <Button
            variant="light"
            onClick={startBlank}
            loading={busy === "blank"}
            disabled={!editable}
            style={{ alignSelf: "flex-start" }}
          >
            {hasContent ? t("mailings.template.keepContent") : t("mailings.template.startBlank")}
          </Button>
        </Card>
        <Card withBorder padding="md">
          <Text fw={600}>{t("mailings.template.copyTitle")}</Text>
          <Text size="sm" c="dimmed" mt={4} mb="xs">
            {t(sms ? "sms.template.copyHelp" : "mailings.template.copyHelp")} {replaceNote}
          </Text>
          <Group align="flex-end" gap="sm">
            <div style={{ flex: 1 }}>
              <MailingPicker
                label={t("mailings.template.copyPick")}
                value={copyOf}
                onChange={setCopyOf}
                exceptId={mailing.id}
                type={type}
              />
            </div>
            <Button
              variant="light"
              onClick={copyContent}
              loading={busy === "copy"}
              disabled={!editable || !copyOf}
            >
              {t("mailings.template.copy")}
            </Button>
          </Group>
        </Card>
      </SimpleGrid>

      {starters.data && (
        <Card withBorder padding="md" data-testid="starter-templates">
          <Group justify="space-between" align="flex-start">
            <div>
              <Text fw={600}>{t("mailings.template.starter.title")}</Text>
              <Text size="sm" c="dimmed" mt={4} mb="sm">
                {t("mailings.template.starter.help")} {replaceNote}
              </Text>
            </div>
            <SegmentedControl
              size="xs"
              aria-label={t("mailings.template.starter.language")}
              value={starterLanguage}
              onChange={(v) => setStarterLanguage(v as "nb" | "en")}
              data={[
                { value: "nb", label: "Norsk" },
                { value: "en", label: "English" },
              ]}
            />
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
            {starters.data.items
              .filter((s) => s.language === starterLanguage)
              .map((starter) => (
                <Card key={starter.key} withBorder padding="sm">
                  <Text fw={500}>{starter.name}</Text>
                  <Text size="sm" c="dimmed" mb="xs">
                    {starter.description}
                  </Text>
                  <Button
                    size="compact-sm"
                    variant="light"
                    disabled={!editable}
                    loading={busy === `starter-${starter.key}`}
                    onClick={() => applyStarter(starter)}
                    aria-label={`${t("mailings.template.starter.use")}: ${starter.name}`}
                    style={{ alignSelf: "flex-start" }}
                  >
                    {t("mailings.template.starter.use")}
                  </Button>
                </Card>
              ))}
          </SimpleGrid>
        </Card>
      )}

      <Card withBorder padding="md">
        <Text fw={600}>{t("mailings.template.savedTitle")}</Text>
        <Text size="sm" c="dimmed" mt={4} mb="sm">
          {t(sms ? "sms.template.savedHelp" : "mailings.template.savedHelp")} {replaceNote}
        </Text>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("mailings.template.none")}
          </Text>
        ) : (
          <Table verticalSpacing="xs" striped data-testid="templates-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("mailings.template.name")}</Table.Th>
                {sms ? (
                  <Table.Th>{t("sms.template.text")}</Table.Th>
                ) : (
                  <>
                    <Table.Th>{t("mailings.fields.subject")}</Table.Th>
                    <Table.Th w={90}>{t("mailings.fields.contentFormat")}</Table.Th>
                  </>
                )}
                <Table.Th w={170}>{t("common.updated")}</Table.Th>
                <Table.Th w={200} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((template) => (
                <Table.Tr key={template.id}>
                  <Table.Td fw={500}>{template.name}</Table.Td>
                  {sms ? (
                    <Table.Td>
                      <Text size="sm" lineClamp={2} style={{ whiteSpace: "pre-wrap" }}>
                        {template.smsText}
                      </Text>
                    </Table.Td>
                  ) : (
                    <>
                      <Table.Td>{template.subject}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color="gray">
                          {template.contentFormat.toUpperCase()}
                        </Badge>
                      </Table.Td>
                    </>
                  )}
                  <Table.Td>{formatDateTime(template.updatedAt)}</Table.Td>
                  <Table.Td>
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="light"
                        disabled={!editable}
                        loading={busy === `template-${template.id}`}
                        onClick={() => applyTemplate(template)}
                      >
                        {t("mailings.template.use")}
                      </Button>
                      <ConfirmButton
                        size="compact-sm"
                        variant="subtle"
                        title={t("mailings.template.deleteTitle")}
                        message={t("mailings.template.deleteConfirm", { name: template.name })}
                        confirmLabel={t("common.delete")}
                        onConfirm={() => deleteTemplate(template)}
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
      </Card>

      <Card withBorder padding="md" bg="gray.0">
        <Text fw={600}>{t("mailings.template.saveAsTitle")}</Text>
        <Text size="sm" c="dimmed" mt={4} mb="xs">
          {t(sms ? "sms.template.saveAsHelp" : "mailings.template.saveAsHelp")}
        </Text>
        <Group align="flex-end" gap="sm">
          <TextInput
            w={320}
            label={t("mailings.template.name")}
            value={templateName}
            onChange={(e) => setTemplateName(e.currentTarget.value)}
          />
          <Button
            variant="default"
            onClick={saveAsTemplate}
            loading={busy === "save"}
            disabled={!templateName.trim() || !hasContent}
          >
            {t("mailings.template.saveAs")}
          </Button>
        </Group>
      </Card>
    </Stack>
  );
}
