// The sending window of an SMS mailing (SPEC §12: 08–21 in the account's time zone): outside it the mailing waits,
// and this says until when, in the account's time zone (where 08:00 is 08:00).
import { Alert } from "@mantine/core";
import type { Mailing } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { useSendingAccounts } from "../mailings/queries.ts";
import { isSms, smsWindow } from "./types.ts";

export function useSmsWindowText(mailing: Mailing): string | null {
  const { t, language } = useI18n();
  const accounts = useSendingAccounts();
  const window = isSms(mailing) ? smsWindow(mailing) : null;
  if (!window) return null;
  if (window.open || !window.opensAt) return t("sms.window.open");
  const timeZone =
    accounts.data?.items.find((a) => a.id === mailing.sendingAccountId)?.timeZone ?? "Europe/Oslo";
  const locale = language === "nb" ? "nb-NO" : "en-GB";
  const at = new Date(window.opensAt);
  const time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone }).format(at);
  const date = new Intl.DateTimeFormat(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    timeZone,
  }).format(at);
  return t("sms.window.waits", { time, date });
}

/** Shown only while the window is closed. */
export function SmsWindowNote({ mailing }: { mailing: Mailing }) {
  const text = useSmsWindowText(mailing);
  const window = isSms(mailing) ? smsWindow(mailing) : null;
  if (!text || !window || window.open) return null;
  return (
    <Alert color="blue" variant="light" data-testid="sms-window">
      {text}
    </Alert>
  );
}
