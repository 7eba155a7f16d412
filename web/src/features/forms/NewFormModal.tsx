// Creates a form from its name and language; the server makes the slug from the name. Opens the builder after.
import { Button, Group, Modal, Select, Stack, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert } from "../../app/feedback.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import type { Form, FormLanguage } from "./types.ts";

export function NewFormModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t, language: uiLanguage } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [language, setLanguage] = useState<FormLanguage>("nb");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setName("");
    setLanguage(uiLanguage);
    setErrors({});
    setFailure(null);
  }, [opened, uiLanguage]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const form = await api.post<Form>("/api/forms", { name: name.trim(), language });
      await queryClient.invalidateQueries({ queryKey: ["forms", "list"] });
      notifySuccess(t("forms.created"));
      onClose();
      navigate(`/forms/${form.id}`);
    } catch (error) {
      const byField = fieldErrors(error, t);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title={t("forms.newTitle")}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={failure} />
          <TextInput
            label={t("forms.name")}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            data-autofocus
          />
          <Select
            label={t("forms.language")}
            description={t("forms.languageHint")}
            value={language}
            allowDeselect={false}
            onChange={(v) => v && setLanguage(v as FormLanguage)}
            data={[
              { value: "nb", label: t("languages.nb") },
              { value: "en", label: t("languages.en") },
            ]}
            error={errors.language}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={name.trim() === ""}>
              {t("forms.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
