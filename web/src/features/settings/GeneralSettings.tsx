// General settings: the consent filter (marketing only to people with consent or a subscription).
import { Stack, Switch, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/context.tsx";
import type { Settings } from "../../api/types.ts";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export function GeneralSettings() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ["settings"], queryFn: () => api.get<Settings>("/api/settings") });

  async function change(patch: Partial<Settings>) {
    try {
      const saved = await api.put<Settings>("/api/settings", patch);
      queryClient.setQueryData(["settings"], saved);
      notifySuccess(t("settings.saved"));
    } catch (error) {
      notifyFailure(error);
    }
  }

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  return (
    <Stack gap="xs" maw={640}>
      <Switch
        label={t("settings.general.consentFilter")}
        checked={query.data.consentFilter}
        onChange={(e) => change({ consentFilter: e.currentTarget.checked })}
      />
      <Text size="sm" c="dimmed" pl={54}>
        {t("settings.general.consentFilterHelp")}
      </Text>
    </Stack>
  );
}
