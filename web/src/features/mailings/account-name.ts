// A sending account's name as the UI shows it: the built-in outbox, still under the name the first start gave it, is
// named in the UI's language ("Lokal utboks" / "Local outbox"); any name a user gave is shown as given.
import { BUILT_IN_OUTBOX_NAME } from "../../../../src/send/account-names.ts";
import type { SendingAccount } from "../../api/mailing-types.ts";
import type { Translate } from "../../i18n/i18n.tsx";

export function accountName(t: Translate, account: Pick<SendingAccount, "kind" | "name">): string {
  return isBuiltInOutbox(account) ? t("settings.sending.kinds.outbox") : account.name;
}

/** The built-in outbox under its own name, which says what it is already. */
export function isBuiltInOutbox(account: Pick<SendingAccount, "kind" | "name">): boolean {
  return account.kind === "outbox" && account.name === BUILT_IN_OUTBOX_NAME;
}
