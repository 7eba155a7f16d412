// The e-mail channel: a mailing prepared once (templates compiled, CSS inlined, links registered, DKIM key read),
// each recipient's message merged, built as MIME and signed, and sent through the account's SMTP server or the
// local outbox.

import type { Db } from "../../../db/connect.ts";
import { recipientLinks } from "../../../deliveries/identity.ts";
import { AppError } from "../../../shared/errors.ts";
import type { Channel, ChannelDeps, SendingAccountRow, Transport } from "../../channel.ts";
import type { SendOutcome } from "../../outcomes.ts";
import { buildMessage } from "./message.ts";
import { type MessageSender, outboxSender } from "./outbox.ts";
import { type PreparedMailing, prepareMailing, renderDelivery } from "./prepare.ts";
import {
  type ConnectionReport,
  createSmtpChannel,
  type SmtpAccount,
  SmtpConnectionError,
  testSmtpConnection,
} from "./smtp.ts";
import { ehloNameFor, type TlsMode, tlsModeProblem } from "./smtp-settings.ts";

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
    connect: (db, account, options) =>
      emailTransport(db, account, {
        ...options,
        publicUrl: deps.publicUrl,
        replyTimeoutMs: deps.smtpReplyTimeoutMs,
      }),
  };
}

/**
 * How to reach an SMTP account's server; throws SENDING_ACCOUNT_UNUSABLE when it may not be used as configured
 * (no EHLO name it may give, clear text toward a host that is not a loopback relay).
 */
export function smtpAccountOf(
  account: SendingAccountRow,
  publicUrl: string,
  maxConnections = account.max_connections,
): SmtpAccount {
  const ehlo = ehloNameFor({ host: account.host, ehloName: account.ehlo_name }, publicUrl);
  const tlsProblem = tlsModeProblem(account.tls_mode, account.host);
  const problems = [...(ehlo.ok ? [] : [ehlo.problem]), ...(tlsProblem ? [`TLS mode: ${tlsProblem}`] : [])];
  if (!ehlo.ok || problems.length > 0 || !account.host || !account.port)
    throw new AppError(
      "SENDING_ACCOUNT_UNUSABLE",
      `sending account "${account.name}" cannot send: ${problems.join("; ") || "it has no host and port"}`,
      { accountId: account.id, problems },
    );
  return {
    host: account.host,
    port: account.port,
    tlsMode: account.tls_mode as TlsMode,
    ehloName: ehlo.name,
    caCertificate: account.ca_certificate,
    user: account.username,
    pass: account.password,
    maxConnections,
  };
}

/** Connects, authenticates and says QUIT without sending; SMTP_CONNECTION_FAILED says at which stage it failed. */
export async function testAccountConnection(
  account: SendingAccountRow,
  publicUrl: string,
): Promise<ConnectionReport> {
  if (account.kind !== "smtp")
    throw new AppError("SENDING_ACCOUNT_UNUSABLE", "only an SMTP account has a connection to test", {
      accountId: account.id,
      problems: [`kind ${account.kind}`],
    });
  try {
    return await testSmtpConnection(smtpAccountOf(account, publicUrl, 1));
  } catch (error) {
    if (!(error instanceof SmtpConnectionError)) throw error;
    throw new AppError("SMTP_CONNECTION_FAILED", `${account.host}:${account.port}: ${error.message}`, {
      accountId: account.id,
      stage: error.stage,
      reply: error.reply,
    });
  }
}

/** Answers every message of an account that cannot send with the same refusal, as a connection failure would. */
function refusingSender(error: AppError): MessageSender {
  const outcome: SendOutcome = {
    kind: "temporary",
    code: null,
    status: null,
    reply: `not sent: ${error.message}`,
  };
  return { send: async () => outcome, close: async () => {} };
}

/** The account's SMTP server (a pool of `maxConnections`), or the local outbox. */
export function emailTransport(
  db: Db,
  account: SendingAccountRow,
  options: { maxConnections?: number; publicUrl: string; replyTimeoutMs?: number },
): Transport<EmailMessage> {
  let sender: MessageSender;
  if (account.kind === "outbox") sender = outboxSender(db);
  else {
    try {
      sender = createSmtpChannel({
        ...smtpAccountOf(account, options.publicUrl, options.maxConnections),
        replyTimeoutMs: options.replyTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      sender = refusingSender(error);
    }
  }
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
