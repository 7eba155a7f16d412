// Preview of a document mailing: one eligible recipient's letter, as the document will hold it, in the browser's
// PDF viewer (the server renders it; a Word template without LibreOffice gives a DOCX to download instead).
import { Alert, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Recipient } from "../../api/mailing-types.ts";
import type { Page } from "../../api/types.ts";
import { Loading } from "../../app/feedback.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingPartsKey } from "../mailings/queries.ts";
import { RecipientPicker } from "../preview/RecipientPicker.tsx";

export function DocumentPreviewPanel({ mailingId }: { mailingId: number }) {
  const { t } = useI18n();
  const api = useApi();
  const [chosen, setChosen] = useState<number | null>(null);
  const first = useQuery({
    queryKey: [...mailingPartsKey(mailingId), "document-preview-first"],
    queryFn: () =>
      api.get<Page<Recipient>>(`/api/mailings/${mailingId}/recipients`, { status: "eligible", limit: 1 }),
  });
  const recipientId = chosen ?? first.data?.items[0]?.id ?? null;

  return (
    <Stack gap="md" data-testid="document-preview-panel">
      <RecipientPicker
        mailingId={mailingId}
        value={recipientId}
        onChange={setChosen}
        label={t("preview.recipient")}
      />
      {first.isPending ? (
        <Loading />
      ) : recipientId === null ? (
        <Alert color="blue" variant="light">
          {t("documents.preview.noRecipients")}
        </Alert>
      ) : (
        <iframe
          key={recipientId}
          title={t("documents.preview.frameTitle")}
          src={`/api/mailings/${mailingId}/document/preview?recipientId=${recipientId}`}
          style={{ width: "100%", height: "75vh", border: "1px solid var(--mantine-color-default-border)" }}
          data-testid="document-preview"
        />
      )}
    </Stack>
  );
}
