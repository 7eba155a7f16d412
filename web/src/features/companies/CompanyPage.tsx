// One company: its details and the persons who work there.
import { Anchor, Button, Grid, Paper, Title } from "@mantine/core";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Company, Page, PersonSummary } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { type Detail, DetailList } from "../../app/DetailList.tsx";
import { EmptyNote, ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { PAGE_SIZE, Pager } from "../../app/Pager.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { PersonTable } from "../persons/PersonTable.tsx";

export function CompanyPage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { can } = useSession();
  const query = useQuery({
    queryKey: ["companies", "one", id],
    queryFn: () => api.get<Company>(`/api/companies/${id}`),
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const company = query.data;

  async function remove() {
    await api.delete(`/api/companies/${id}`);
    await queryClient.invalidateQueries({ queryKey: ["companies"] });
    notifySuccess(t("companies.deleted"));
    navigate("/companies");
  }

  const address = [
    company.street,
    [company.postcode, company.city].filter(Boolean).join(" "),
    company.country,
  ]
    .filter(Boolean)
    .join(", ");
  const rows: Detail[] = [
    { label: t("companies.fields.orgNumber"), value: company.orgNumber },
    { label: t("companies.fields.department"), value: company.department },
    { label: t("companies.fields.address"), value: address },
    { label: t("companies.fields.domain"), value: company.domain },
    { label: t("companies.fields.phone"), value: company.phone },
    {
      label: t("companies.fields.email"),
      value: company.email ? (
        <Anchor href={`mailto:${company.email}`} size="sm">
          {company.email}
        </Anchor>
      ) : null,
    },
  ];
  return (
    <>
      <PageHeader
        back={{ to: "/companies", label: t("nav.companies") }}
        title={company.name}
        actions={
          can("write") && (
            <>
              <Button component={Link} to={`/companies/${id}/edit`} variant="default">
                {t("common.edit")}
              </Button>
              <ConfirmButton
                title={t("companies.deleteTitle")}
                message={t("companies.deleteConfirm", { name: company.name })}
                confirmLabel={t("common.delete")}
                onConfirm={remove}
              >
                {t("common.delete")}
              </ConfirmButton>
            </>
          )
        }
      />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder p="md" radius="md">
            <Title order={2} size="h4" mb="sm">
              {t("companies.details")}
            </Title>
            <DetailList rows={rows} labelWidth={110} testId="company-details" />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <CompanyPersons companyId={id} />
        </Grid.Col>
      </Grid>
    </>
  );
}

function CompanyPersons({ companyId }: { companyId: number }) {
  const { t } = useI18n();
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const query = useQuery({
    queryKey: ["companies", "persons", companyId, offset],
    queryFn: () =>
      api.get<Page<PersonSummary>>(`/api/companies/${companyId}/persons`, { limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        {t("companies.persons")}
      </Title>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorAlert error={query.error} />
      ) : query.data.items.length === 0 ? (
        <EmptyNote title={t("companies.noPersons")} />
      ) : (
        <>
          <PersonTable persons={query.data.items} />
          <Pager total={query.data.total} offset={offset} onOffset={setOffset} />
        </>
      )}
    </Paper>
  );
}
