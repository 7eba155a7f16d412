// Who signs a sending domain's mail with DKIM: utsend with its own key, or the SMTP relay (SES, Mailgun, Postfix with
// OpenDKIM) under the relay's selector, which the DNS check then verifies instead.
import { Button, Group, Radio, Stack, Text, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { SendingDomain } from "../../api/mailing-types.ts";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { useI18n } from "../../i18n/i18n.tsx";

export function DkimSigning({ domain }: { domain: SendingDomain }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [signer, setSigner] = useState(domain.dkimSigner);
  const [selector, setSelector] = useState(domain.relayDkimSelector ?? "");
  const [busy, setBusy] = useState(false);
  const changed =
    signer !== domain.dkimSigner ||
    (signer === "relay" && selector.trim() !== (domain.relayDkimSelector ?? ""));

  async function save() {
    setBusy(true);
    try {
      await api.put<SendingDomain>(`/api/sending-domains/${domain.id}/dkim`, {
        dkimSigner: signer,
        ...(signer === "relay" ? { relayDkimSelector: selector.trim() } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: ["sending-domains"] });
      notifySuccess(t("settings.sending.dkimSigning.saved", { domain: domain.domain }));
    } catch (error) {
      notifyFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap={6} data-testid="dkim-signing">
      <Radio.Group
        label={t("settings.sending.dkimSigning.label")}
        value={signer}
        onChange={(v) => setSigner(v === "relay" ? "relay" : "utsend")}
      >
        <Stack gap={4} mt={4}>
          <Radio value="utsend" label={t("settings.sending.dkimSigning.utsend")} />
          <Radio value="relay" label={t("settings.sending.dkimSigning.relay")} />
        </Stack>
      </Radio.Group>
      {signer === "relay" && (
        <>
          <TextInput
            w={220}
            label={t("settings.sending.dkimSigning.relaySelector")}
            placeholder="k1"
            value={selector}
            onChange={(e) => setSelector(e.currentTarget.value)}
          />
          <Text size="xs" c="dimmed">
            {t("settings.sending.dkimSigning.relayHelp", { domain: domain.domain })}
          </Text>
        </>
      )}
      <Group>
        <Button
          size="compact-sm"
          onClick={save}
          loading={busy}
          disabled={!changed || (signer === "relay" && !selector.trim())}
        >
          {t("common.save")}
        </Button>
      </Group>
    </Stack>
  );
}
