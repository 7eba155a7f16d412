// Correct a bad address: every person having it gets the new one, its block is cleared, and the mailings it
// bounced in are sent again to the new address for those who have not received them.
import { Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { useApi } from "../../api/context.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useBounceChanged } from "./BounceActions.tsx";
import type { CorrectionResult } from "./types.ts";

export function CorrectAddressModal({ address, onClose }: { address: string | null; onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const changed = useBounceChanged();
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setValue(address ?? "");
    setError(undefined);
  }, [address]);

  async function submit() {
    if (!address) return;
    setBusy(true);
    try {
      const result = await api.post<CorrectionResult>("/api/blocked-addresses/correct", {
        address,
        newAddress: value.trim(),
      });
      const resent = result.resent.reduce((n, m) => n + m.created.length, 0);
      notifySuccess(
        t("bounces.corrected", {
          persons: t("bounces.correctedParts.persons", { count: result.persons }),
          resent: t("bounces.correctedParts.resent", { count: resent }),
        }),
      );
      await changed();
      onClose();
    } catch (e) {
      const fields = fieldErrors(e, t);
      if (fields.newAddress) setError(fields.newAddress);
      else notifyFailure(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={address !== null} onClose={onClose} title={t("bounces.correctTitle")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <Text size="sm">{t("bounces.correctHelp", { address: address ?? "" })}</Text>
          <TextInput
            label={t("bounces.newAddress")}
            type="email"
            required
            data-autofocus
            value={value}
            onChange={(e) => {
              setValue(e.currentTarget.value);
              setError(undefined);
            }}
            error={error}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={value.trim() === "" || value.trim() === address}>
              {t("bounces.actions.correct")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
