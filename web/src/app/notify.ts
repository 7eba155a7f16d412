// Short confirmations and failures shown in the corner after an action.
import { notifications } from "@mantine/notifications";

export function notifySuccess(message: string): void {
  notifications.show({ message, color: "green", autoClose: 3000 });
}

export function notifyFailure(error: unknown): void {
  notifications.show({
    message: error instanceof Error ? error.message : String(error),
    color: "red",
    autoClose: 6000,
  });
}
