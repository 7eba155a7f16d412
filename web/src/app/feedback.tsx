// How a page says "loading", "failed", "nothing here" and "not found".
import { Alert, Center, EmptyState, Loader, Text, VisuallyHidden } from "@mantine/core";
import type { ReactNode } from "react";
import { ApiError } from "../api/client.ts";
import { errorText } from "../i18n/error-text.ts";
import { useI18n } from "../i18n/i18n.tsx";
import { PageHeader } from "./PageHeader.tsx";

export function Loading({ fullPage = false }: { fullPage?: boolean }) {
  const { t } = useI18n();
  return (
    // A status with words in it: aria-label on a plain div is not read.
    <Center mih={fullPage ? "100vh" : 160} aria-busy="true" role="status">
      <Loader size="md" />
      <VisuallyHidden>{t("common.loading")}</VisuallyHidden>
    </Center>
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const message = errorText(t, error);
  const code = error instanceof ApiError ? error.code : null;
  return (
    <Alert color="red" title={t("errors.title")} role="alert">
      <Text size="sm">{message}</Text>
      {code && (
        <Text size="xs" c="dimmed" mt={4}>
          {code}
        </Text>
      )}
    </Alert>
  );
}

export function EmptyNote({
  title,
  description,
  action,
}: {
  title: string;
  description?: string;
  action?: ReactNode;
}) {
  return (
    <EmptyState py="xl" title={title} description={description} data-testid="empty-state">
      {action && <EmptyState.Actions>{action}</EmptyState.Actions>}
    </EmptyState>
  );
}

export function NotFound() {
  const { t } = useI18n();
  return <PageHeader title={t("errors.notFoundTitle")} subtitle={t("errors.notFound")} />;
}
