// The page around the person form: new person at /persons/new, editing at /persons/:id/edit.
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "react-router";
import { useApi } from "../../api/context.tsx";
import type { Person, PersonInput } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { PageHeader } from "../../app/PageHeader.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { PersonForm } from "./PersonForm.tsx";
import { usePerson } from "./queries.ts";

export function PersonEditPage() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const params = useParams();
  const id = params.id ? Number(params.id) : null;
  const query = usePerson(id);

  if (id !== null && query.isPending) return <Loading />;
  if (id !== null && query.isError) return <ErrorAlert error={query.error} />;
  const person = id !== null ? (query.data ?? null) : null;

  async function save(input: PersonInput) {
    const saved = person
      ? await api.patch<Person>(`/api/persons/${person.id}`, input)
      : await api.post<Person>("/api/persons", input);
    await queryClient.invalidateQueries({ queryKey: ["persons"] });
    await queryClient.invalidateQueries({ queryKey: ["interests"] });
    notifySuccess(t("persons.saved"));
    navigate(`/persons/${saved.id}`);
  }

  return (
    <>
      <PageHeader
        back={
          person
            ? { to: `/persons/${person.id}`, label: person.fullName }
            : { to: "/persons", label: t("nav.persons") }
        }
        title={person ? t("persons.editTitle") : t("persons.newTitle")}
      />
      <PersonForm
        key={person?.id ?? "new"}
        person={person}
        onSubmit={save}
        onCancel={() => navigate(person ? `/persons/${person.id}` : "/persons")}
      />
    </>
  );
}
