// The seam between the send loop and the ways a message reaches someone. The loop (claims, leases, rate, the
// guarded state changes and outcome rules of SPEC §7, progress) knows nothing of e-mail: per mailing it asks the
// delivery's channel to `prepare` once, to `render` each recipient, and a transport opened for the mailing's
// sending account to `send` a batch, which answers one SendOutcome per message, in order.
import type { Selectable } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import type { RecipientValues } from "../mailings/merge-values.ts";
import type { SendOutcome } from "./outcomes.ts";

export type SendingAccountRow = Selectable<Database["sending_accounts"]>;

/** One delivery as a channel sees it: where it goes and the merge values of its recipient. */
export type ChannelRecipient = {
  deliveryId: number;
  mailingId: number;
  address: string;
  /** E-mail only. */
  messageId: string | null;
  values: RecipientValues;
};

export type Transport<Rendered> = {
  /** Sends a batch; one outcome per message, in the batch's order. Never throws for one message's failure. */
  send(batch: Rendered[]): Promise<SendOutcome[]>;
  /** Resolves once the sends in flight have their outcomes. */
  close(): Promise<void>;
};

export type Channel<Prepared, Rendered> = {
  /** The value of `deliveries.channel`. */
  name: string;
  /** The sending account kinds this channel sends through (`sending_accounts.kind`). */
  accountKinds: readonly string[];
  /** Which of the recipient's merge values the delivery's address is (`customer.email` or `customer.cellphone`). */
  addressKind: "email" | "mobile";
  /** Once per mailing and process: what every recipient's message shares (templates compiled, keys read). */
  prepare(db: Db, mailingId: number): Promise<Prepared>;
  /** One recipient's message, ready for the wire; throws when it cannot be made (the delivery is then not sent). */
  render(prepared: Prepared, recipient: ChannelRecipient): Promise<Rendered>;
  /** How many parts a message goes out in: each takes one of the account's rate tokens (SPEC §12). 1 when absent. */
  parts?(rendered: Rendered): number;
  /** When the account may not send now (SMS outside its sending window): the time it may again. */
  heldUntil?(account: SendingAccountRow, now: Date): Date | null;
  connect(
    db: Db,
    account: SendingAccountRow,
    options?: { maxConnections?: number; log?: (message: string) => void },
  ): Transport<Rendered>;
};

// biome-ignore lint/suspicious/noExplicitAny: the loop hands a channel's own Prepared and Rendered back to it.
export type AnyChannel = Channel<any, any>;

export type ChannelDeps = {
  publicUrl: string;
  keys: Keyring;
  /** E-mail: how long an SMTP reply may take before the send ends as SPEC §7 says (smtp.ts). */
  smtpReplyTimeoutMs?: number;
};
