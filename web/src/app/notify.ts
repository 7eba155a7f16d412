// Short confirmations and failures shown in the corner after an action.
import { notifications } from "@mantine/notifications";
import { errorText } from "../i18n/error-text.ts";
import { pageLanguage, translator } from "../i18n/i18n.tsx";

export function notifySuccess(message: string): void {
  // A status, not an alert: "saved" is announced when the screen reader is free, not over what it is saying.
  notifications.show({ message, color: "green", autoClose: 3000, role: "status" });
}

export function notifyFailure(error: unknown): void {
  notifications.show({
    message: errorText(translator(pageLanguage()), error),
    color: "red",
    autoClose: 6000,
  });
}
