// One person: contact details, company, interests and custom fields, consents, subscriptions and their history.
import { Anchor, Badge, Button, Grid, Group, Paper, Stack, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { useCustomFields } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { Person } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { type Detail, DetailList } from "../../app/DetailList.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { AddressProblemsAlert } from "../bounces/AddressProblemsAlert.tsx";
import { ConsentHistory } from "./ConsentHistory.tsx";
import { PersonConsents } from "./PersonConsents.tsx";
import { PersonPrivacyActions } from "./PersonPrivacyActions.tsx";
import { PersonSubscriptions } from "./PersonSubscriptions.tsx";
import { usePerson } from "./queries.ts";

export function PersonPage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { can } = useSession();
  const query = usePerson(id);

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  const person = query.data;

  async function remove() {
    await api.delete(`/api/persons/${id}`);
    await queryClient.invalidateQueries({ queryKey: ["persons"] });
    notifySuccess(t("persons.deleted"));
    navigate("/persons");
  }

  return (
    <>
      <PageHeader
        back={{ to: "/persons", label: t("nav.persons") }}
        title={person.fullName || person.email || `#${person.id}`}
        subtitle={
          person.companyId ? (
            <Anchor component={Link} to={`/companies/${person.companyId}`} size="sm">
              {person.companyName}
            </Anchor>
          ) : undefined
        }
        actions={
          <>
            {can("write") && (
              <>
                <Button component={Link} to={`/persons/${id}/edit`} variant="default">
                  {t("common.edit")}
                </Button>
                <ConfirmButton
                  title={t("persons.deleteTitle")}
                  message={t("persons.deleteConfirm", { name: person.fullName })}
                  confirmLabel={t("common.delete")}
                  onConfirm={remove}
                >
                  {t("common.delete")}
                </ConfirmButton>
              </>
            )}
            <PersonPrivacyActions personId={id} name={person.fullName || person.email || `#${person.id}`} />
          </>
        }
      />
      <AddressProblemsAlert problems={person.addressProblems} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <PersonDetails person={person} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="lg">
            <PersonConsents person={person} />
            <PersonSubscriptions person={person} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={12}>
          <ConsentHistory personId={id} />
        </Grid.Col>
      </Grid>
    </>
  );
}

function PersonDetails({ person }: { person: Person }) {
  const { t, formatDateTime } = useI18n();
  const customFields = useCustomFields();
  const fieldLabel = (key: string) => customFields.data?.items.find((f) => f.key === key)?.label ?? key;
  const rows: Detail[] = [
    { label: t("persons.fields.title"), value: person.title },
    { label: t("persons.fields.mrmrs"), value: person.mrmrs },
    {
      label: t("persons.fields.emails"),
      value:
        person.emails.length > 0 ? (
          <Stack gap={2}>
            {person.emails.map((e) => (
              <Group key={e.address} gap={6}>
                <Anchor href={`mailto:${e.address}`} size="sm">
                  {e.address}
                </Anchor>
                {e.primary && person.emails.length > 1 && (
                  <Badge size="xs" variant="light">
                    {t("persons.primary")}
                  </Badge>
                )}
              </Group>
            ))}
          </Stack>
        ) : null,
    },
    { label: t("persons.fields.mobile"), value: person.mobile },
    { label: t("persons.fields.phone"), value: person.phone },
    {
      label: t("persons.fields.postalAddress"),
      value:
        [person.street, [person.postcode, person.city].filter(Boolean).join(" "), person.country]
          .filter(Boolean)
          .join(", ") || null,
    },
    { label: t("persons.fields.language"), value: person.language },
    {
      label: t("persons.fields.interests"),
      value:
        person.interests.length > 0 ? (
          <Group gap={4}>
            {person.interests.map((i) => (
              <Badge key={i} variant="outline" size="sm">
                {i}
              </Badge>
            ))}
          </Group>
        ) : null,
    },
    {
      label: t("persons.fields.formerEmployee"),
      value: person.formerEmployee ? t("common.yes") : t("common.no"),
    },
    ...Object.entries(person.customFields ?? {}).map(([key, value]) => ({
      label: fieldLabel(key),
      value: value === null ? null : String(value),
    })),
    { label: t("common.created"), value: formatDateTime(person.createdAt) },
    { label: t("common.updated"), value: formatDateTime(person.updatedAt) },
  ];
  return (
    <Paper withBorder p="md" radius="md" h="100%">
      <Title order={2} size="h4" mb="sm">
        {t("persons.details")}
      </Title>
      <DetailList rows={rows} testId="person-details" />
    </Paper>
  );
}
