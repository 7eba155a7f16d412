// Short confirmations and failures shown in the corner after an action.
import { notifications } from "@mantine/notifications";

export function notifySuccess(message: string): void {
  // A status, not an alert: "saved" is announced when the screen reader is free, not over what it is saying.
  notifications.show({ message, color: "green", autoClose: 3000, role: "status" });
}

export function notifyFailure(error: unknown): void {
  notifications.show({
    message: error instanceof Error ? error.message : String(error),
    color: "red",
    autoClose: 6000,
  });
}
