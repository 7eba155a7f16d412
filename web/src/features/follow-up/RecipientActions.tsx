// What can be done with the follow-up rows: add the picked or all filtered people to a selection or project, send
// again to the picked ones or reload the sources and send to those who have not got it, and export the rows.
import { Button, Group } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { withQuery } from "../../api/client.ts";
import { useApi } from "../../api/context.tsx";
import { ConfirmButton } from "../../app/ConfirmButton.tsx";
import { notifySuccess } from "../../app/notify.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { mailingKey, mailingPartsKey } from "../mailings/queries.ts";
import { AddToModal } from "./AddToModal.tsx";
import { followUpKey } from "./queries.ts";
import type { ResendResult, RowQuery } from "./types.ts";

/** New attempts made, newcomers found in the sources, and those left out by reason (consent, blocks, received). */

export function RecipientActions({
  mailingId,
  rows,
  total,
  picked,
  onPickedDone,
}: {
  mailingId: number;
  rows: RowQuery;
  total: number;
  picked: number[];
  onPickedDone: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [addingPicked, addPicked] = useDisclosure(false);
  const [addingAll, addAll] = useDisclosure(false);
  const base = `/api/mailings/${mailingId}`;

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: followUpKey(mailingId) }),
      queryClient.invalidateQueries({ queryKey: mailingKey(mailingId) }),
      queryClient.invalidateQueries({ queryKey: mailingPartsKey(mailingId) }),
    ]);

  // ConfirmButton shows a failure itself; a success is told here.
  function told(result: ResendResult) {
    const skipped = Object.values(result.skipped).reduce((a, b) => a + b, 0);
    notifySuccess(
      t("followUp.recipients.resent", {
        count: result.created,
        added: t("followUp.recipients.resentParts.added", { count: result.added }),
        skipped: t("followUp.recipients.resentParts.skipped", { count: skipped }),
      }),
    );
  }

  async function resendPicked() {
    told(await api.post<ResendResult>(`${base}/resend`, { recipientIds: picked }));
    onPickedDone();
    await refresh();
  }

  async function reloadAndResend() {
    told(await api.post<ResendResult>(`${base}/reload-and-resend`));
    await refresh();
  }

  // The export holds the rows the filters show (every row when none is chosen), with each row's latest delivery.
  const exportHref = (format: "csv" | "xlsx") =>
    withQuery(`${base}/recipients/export`, {
      format,
      filters: rows.filters.join(","),
      linkId: rows.linkId,
      search: rows.search,
    });

  return (
    <Group gap="sm" data-testid="follow-up-actions">
      {can("write") && (
        <>
          <Button variant="light" disabled={picked.length === 0} onClick={addPicked.open}>
            {t("followUp.recipients.addPicked", { count: picked.length })}
          </Button>
          <Button variant="light" disabled={total === 0} onClick={addAll.open}>
            {t("followUp.recipients.addAll", { count: total })}
          </Button>
        </>
      )}
      {can("send") && (
        <>
          <ConfirmButton
            color="blue"
            variant="default"
            disabled={picked.length === 0}
            title={t("followUp.recipients.resendTitle")}
            message={t("followUp.recipients.resendConfirm", { count: picked.length })}
            confirmLabel={t("followUp.recipients.resend")}
            onConfirm={resendPicked}
          >
            {t("followUp.recipients.resendPicked")}
          </ConfirmButton>
          <ConfirmButton
            color="blue"
            variant="default"
            title={t("followUp.recipients.reloadTitle")}
            message={t("followUp.recipients.reloadConfirm")}
            confirmLabel={t("followUp.recipients.reload")}
            onConfirm={reloadAndResend}
          >
            {t("followUp.recipients.reload")}
          </ConfirmButton>
        </>
      )}
      {can("export") && (
        <>
          <Button
            component="a"
            href={exportHref("csv")}
            download
            variant="default"
            title={t("followUp.recipients.exportHelp")}
          >
            {t("imports.exportCsv")}
          </Button>
          <Button
            component="a"
            href={exportHref("xlsx")}
            download
            variant="default"
            title={t("followUp.recipients.exportHelp")}
          >
            {t("imports.exportXlsx")}
          </Button>
        </>
      )}
      <AddToModal
        mailingId={mailingId}
        rows={{ recipientIds: picked }}
        count={picked.length}
        opened={addingPicked}
        onClose={addPicked.close}
        onDone={onPickedDone}
      />
      <AddToModal mailingId={mailingId} rows={rows} count={total} opened={addingAll} onClose={addAll.close} />
    </Group>
  );
}
