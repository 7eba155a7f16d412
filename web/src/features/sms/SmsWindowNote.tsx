// The sending window of an SMS mailing (SPEC §12: 08–21 in the account's time zone): outside it the mailing waits,
// and this says until when.
import { Alert } from "@mantine/core";
import type { Mailing } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { isSms, smsWindow } from "./types.ts";

export function useSmsWindowText(mailing: Mailing): string | null {
  const { t, language, formatDate } = useI18n();
  const window = isSms(mailing) ? smsWindow(mailing) : null;
  if (!window) return null;
  if (window.open || !window.opensAt) return t("sms.window.open");
  const time = new Intl.DateTimeFormat(language === "nb" ? "nb-NO" : "en-GB", {
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(window.opensAt));
  return t("sms.window.waits", { time, date: formatDate(window.opensAt) });
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
