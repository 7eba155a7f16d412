// One person: contact details, company, interests and custom fields, consents, subscriptions and their history.
import { Anchor, Badge, Button, DataList, Grid, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { useCustomFields } from "../../api/catalogue.ts";
import { useApi } from "../../api/context.tsx";
import type { Person } from "../../api/types.ts";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { ConsentHistory } from "./ConsentHistory.tsx";
import { PersonConsents } from "./PersonConsents.tsx";
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
          can("write") && (
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
          )
        }
      />
      <Grid gutter="lg">
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
  const rows: [string, React.ReactNode][] = [
    [t("persons.fields.title"), person.title],
    [t("persons.fields.mrmrs"), person.mrmrs],
    [
      t("persons.fields.emails"),
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
    ],
    [t("persons.fields.mobile"), person.mobile],
    [t("persons.fields.phone"), person.phone],
    [t("persons.fields.language"), person.language],
    [
      t("persons.fields.interests"),
      person.interests.length > 0 ? (
        <Group gap={4}>
          {person.interests.map((i) => (
            <Badge key={i} variant="outline" size="sm">
              {i}
            </Badge>
          ))}
        </Group>
      ) : null,
    ],
    [t("persons.fields.formerEmployee"), person.formerEmployee ? t("common.yes") : t("common.no")],
    ...Object.entries(person.customFields ?? {}).map(
      ([key, value]): [string, React.ReactNode] => [fieldLabel(key), value === null ? null : String(value)],
    ),
    [t("common.created"), formatDateTime(person.createdAt)],
    [t("common.updated"), formatDateTime(person.updatedAt)],
  ];
  return (
    <Paper withBorder p="md" radius="md" h="100%">
      <Title order={3} size="h4" mb="sm">
        {t("persons.details")}
      </Title>
      <DataList withDivider labelWidth={150} data-testid="person-details">
        {rows.map(([label, value]) => (
          <DataList.Item key={label}>
            <DataList.ItemLabel>{label}</DataList.ItemLabel>
            <DataList.ItemValue>
              {value === null || value === undefined || value === "" ? <Text c="dimmed">–</Text> : value}
            </DataList.ItemValue>
          </DataList.Item>
        ))}
      </DataList>
    </Paper>
  );
}
