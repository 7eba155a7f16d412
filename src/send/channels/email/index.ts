// The e-mail channel: a mailing prepared once (templates compiled, CSS inlined, links registered, DKIM key read),
// each recipient's message merged, built as MIME and signed, and sent through the account's SMTP server or the
// local outbox.

import type { Db } from "../../../db/connect.ts";
import { recipientLinks } from "../../../deliveries/identity.ts";
import type { Channel, ChannelDeps, SendingAccountRow, Transport } from "../../channel.ts";
import { buildMessage } from "./message.ts";
import { type MessageSender, outboxSender } from "./outbox.ts";
import { type PreparedMailing, prepareMailing, renderDelivery } from "./prepare.ts";
import { createSmtpChannel } from "./smtp.ts";

export const EMAIL_ACCOUNT_KINDS = ["smtp", "outbox"] as const;

/** One built message: the SMTP envelope (MAIL FROM is the VERP return path) and the signed bytes. */
export type EmailMessage = {
  mailingId: number | null;
  deliveryId: number | null;
  isTest: boolean;
  subject: string;
  envelope: { from: string; to: string };
  raw: Buffer;
};

export function emailChannel(deps: ChannelDeps): Channel<PreparedMailing, EmailMessage> {
  return {
    name: "email",
    accountKinds: EMAIL_ACCOUNT_KINDS,
    addressKind: "email",
    prepare: prepareMailing,
    async render(prepared, recipient) {
      if (!recipient.messageId) throw new Error(`delivery ${recipient.deliveryId} has no Message-ID`);
      const { message, returnPath } = renderDelivery(
        prepared,
        { id: recipient.deliveryId, email: recipient.address, messageId: recipient.messageId },
        recipient.values,
        recipientLinks(deps.publicUrl, deps.keys, recipient.deliveryId),
        deps.keys,
        { publicUrl: deps.publicUrl },
      );
      return {
        mailingId: recipient.mailingId,
        deliveryId: recipient.deliveryId,
        isTest: false,
        subject: message.subject,
        envelope: { from: returnPath, to: recipient.address },
        raw: await buildMessage(message),
      };
    },
    connect: emailTransport,
  };
}

/** The account's SMTP server (a pool of `maxConnections`), or the local outbox. */
export function emailTransport(
  db: Db,
  account: SendingAccountRow,
  options: { maxConnections?: number } = {},
): Transport<EmailMessage> {
  const sender: MessageSender =
    account.kind === "outbox"
      ? outboxSender(db)
      : createSmtpChannel({
          host: account.host!,
          port: account.port!,
          secure: account.secure === 1,
          user: account.username,
          pass: account.password,
          maxConnections: options.maxConnections ?? account.max_connections,
        });
  return {
    send: (batch) =>
      Promise.all(
        batch.map((m) =>
          sender.send(m.envelope, m.raw, {
            mailingId: m.mailingId,
            deliveryId: m.deliveryId,
            isTest: m.isTest,
            subject: m.subject,
          }),
        ),
      ),
    close: () => sender.close(),
  };
}
