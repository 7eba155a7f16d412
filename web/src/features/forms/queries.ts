// The forms API as the pages call it: the list, one form, saving it, and what depends on a form.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useApi } from "../../api/context.tsx";
import type { Form, FormList, FormUpdate } from "./types.ts";

export const formPath = (id: number) => `/api/forms/${id}`;

export function useFormList() {
  const api = useApi();
  return useQuery({ queryKey: ["forms", "list"], queryFn: () => api.get<FormList>("/api/forms") });
}

export function useForm(id: number) {
  const api = useApi();
  return useQuery({ queryKey: ["forms", "one", id], queryFn: () => api.get<Form>(formPath(id)) });
}

/** Writes through the API and puts the answer (the form as saved) in the cache, so every page shows it. */
export function useFormWrites(id: number) {
  const api = useApi();
  const queryClient = useQueryClient();
  const settle = useCallback(
    async (form: Form) => {
      queryClient.setQueryData(["forms", "one", id], form);
      await queryClient.invalidateQueries({ queryKey: ["forms", "list"] });
      return form;
    },
    [queryClient, id],
  );
  return {
    save: async (update: FormUpdate) => settle(await api.put<Form>(formPath(id), update)),
    publish: async () => settle(await api.post<Form>(`${formPath(id)}/publish`)),
    unpublish: async () => settle(await api.post<Form>(`${formPath(id)}/unpublish`)),
    remove: async () => {
      await api.delete(formPath(id));
      queryClient.removeQueries({ queryKey: ["forms", "one", id] });
      await queryClient.invalidateQueries({ queryKey: ["forms", "list"] });
    },
  };
}

/** The editable part of a form: what PUT /api/forms/:id takes and the builder keeps as its draft. */
export function editableOf(form: Form): Required<FormUpdate> {
  return {
    name: form.name,
    slug: form.slug,
    language: form.language,
    definition: form.definition,
    processingMode: form.processingMode,
    doubleOptIn: form.doubleOptIn,
    sendingAccountId: form.sendingAccountId,
    allowCompanyCreate: form.allowCompanyCreate,
    proofOfWork: form.proofOfWork,
    thankYouText: form.thankYouText,
    redirectUrl: form.redirectUrl,
    deactivateAt: form.deactivateAt,
    deactivateAfter: form.deactivateAfter,
    actions: form.actions,
  };
}

export type FormDraft = ReturnType<typeof editableOf>;
