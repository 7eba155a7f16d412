// Create a company at /companies/new or edit one at /companies/:id/edit; API problems show under their field.
import { Button, Group, Paper, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Company, CompanyInput } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { fieldErrors } from "../../i18n/error-text.ts";
import { type MessageKey, useI18n } from "../../i18n/i18n.tsx";

const FIELDS = [
  "name",
  "orgNumber",
  "department",
  "street",
  "postcode",
  "city",
  "country",
  "domain",
  "phone",
  "email",
] as const;
type Field = (typeof FIELDS)[number];
type Values = Record<Field, string>;

export function CompanyEditPage() {
  const api = useApi();
  const params = useParams();
  const id = params.id ? Number(params.id) : null;
  const query = useQuery({
    queryKey: ["companies", "one", id],
    queryFn: () => api.get<Company>(`/api/companies/${id}`),
    enabled: id !== null,
  });
  if (id !== null && query.isPending) return <Loading />;
  if (id !== null && query.isError) return <ErrorAlert error={query.error} />;
  return <CompanyForm key={id ?? "new"} company={query.data ?? null} />;
}

function CompanyForm({ company }: { company: Company | null }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [values, setValues] = useState<Values>(
    () => Object.fromEntries(FIELDS.map((f) => [f, company?.[f] ?? ""])) as Values,
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const back = company ? `/companies/${company.id}` : "/companies";

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input: CompanyInput = Object.fromEntries(
      FIELDS.map((f) => [f, values[f].trim() === "" ? null : values[f].trim()]),
    );
    setBusy(true);
    setFailure(null);
    setErrors({});
    try {
      const saved = company
        ? await api.patch<Company>(`/api/companies/${company.id}`, input)
        : await api.post<Company>("/api/companies", input);
      await queryClient.invalidateQueries({ queryKey: ["companies"] });
      notifySuccess(t("companies.saved"));
      navigate(`/companies/${saved.id}`);
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const input = (field: Field, extra?: { required?: boolean; type?: string }) => (
    <TextInput
      label={t(`companies.fields.${field}` as MessageKey)}
      value={values[field]}
      onChange={(e) => {
        const value = e.currentTarget.value;
        setValues((v) => ({ ...v, [field]: value }));
      }}
      error={errors[field]}
      {...extra}
    />
  );

  return (
    <>
      <PageHeader
        back={company ? { to: back, label: company.name } : { to: back, label: t("nav.companies") }}
        title={company ? t("companies.editTitle") : t("companies.newTitle")}
      />
      <form onSubmit={submit} noValidate>
        <Stack gap="lg">
          <ErrorAlert error={failure} />
          <Paper withBorder p="md" radius="md">
            <Title order={2} size="h4" mb="sm">
              {t("companies.details")}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              {input("name", { required: true })}
              {input("orgNumber")}
              {input("department")}
              {input("domain")}
              {input("phone", { type: "tel" })}
              {input("email", { type: "email" })}
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md" radius="md">
            <Title order={2} size="h4" mb="sm">
              {t("companies.fields.address")}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 4 }}>
              {input("street")}
              {input("postcode")}
              {input("city")}
              {input("country")}
            </SimpleGrid>
          </Paper>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => navigate(back)}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}
