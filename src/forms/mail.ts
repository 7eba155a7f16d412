// The few e-mails processing sends itself (the double opt-in confirmation, a note to users): through the form's
// sending account (SMTP or the local outbox) the way a test send goes, never through the delivery ledger — they
// answer one visitor or one user, are not marketing and count in no mailing's statistics.
import type { Db } from "../db/connect.ts";
import { accountForSending, dkimSigningKey } from "../send/accounts.ts";
import { emailTransport } from "../send/channels/email/index.ts";
import { buildMessage } from "../send/channels/email/message.ts";
import type { SendOutcome } from "../send/outcomes.ts";
import { randomToken } from "../shared/ids.ts";

export type FormMail = { to: string; subject: string; text: string; html: string };

/** The form's account, else the default e-mail account, else any e-mail account (the outbox exists from the start). */
async function accountFor(db: Db, accountId: number | null) {
  if (accountId !== null) return accountForSending(db, accountId);
  const row = await db
    .selectFrom("sending_accounts")
    .select("id")
    .where("kind", "in", ["smtp", "outbox"])
    .orderBy("is_default", "desc")
    .orderBy("id")
    .executeTakeFirst();
  return row ? accountForSending(db, row.id) : null;
}

/**
 * From: the form-response mailing's sender when it has one, else no-reply at the first sending domain (signed with
 * its DKIM key), else no-reply at the public address's host.
 */
async function senderFor(db: Db, publicUrl: string, fromName: string, responseMailingId: number | null) {
  const mailing =
    responseMailingId === null
      ? undefined
      : await db
          .selectFrom("mailings")
          .select(["from_name", "from_address"])
          .where("id", "=", responseMailingId)
          .executeTakeFirst();
  const domains = await db.selectFrom("sending_domains").selectAll().orderBy("id").execute();
  const fallbackDomain = domains[0]?.domain ?? (new URL(publicUrl).hostname || "localhost");
  const address = mailing?.from_address ?? `no-reply@${fallbackDomain}`;
  const domain = domains.find((d) => d.domain === address.split("@")[1]?.toLowerCase());
  return {
    from: { name: mailing?.from_name ?? fromName, address },
    dkim: domain ? dkimSigningKey(domain) : undefined,
    domain: domain?.domain ?? address.split("@")[1] ?? fallbackDomain,
  };
}

/** Sends one message; the outcome says whether the server (or the outbox) took it. */
export async function sendFormMail(
  db: Db,
  publicUrl: string,
  via: { accountId: number | null; fromName: string; responseMailingId: number | null },
  mail: FormMail,
): Promise<SendOutcome> {
  const account = await accountFor(db, via.accountId);
  if (!account) return { kind: "temporary", code: null, status: null, reply: "no e-mail sending account" };
  const sender = await senderFor(db, publicUrl, via.fromName, via.responseMailingId);
  const raw = await buildMessage({
    from: sender.from,
    to: { address: mail.to },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `form.${randomToken(12)}@${sender.domain}`,
    ...(sender.dkim ? { dkim: sender.dkim } : {}),
  });
  const transport = emailTransport(db, account, { maxConnections: 1, publicUrl });
  try {
    const [outcome] = await transport.send([
      {
        mailingId: null,
        deliveryId: null,
        isTest: false,
        subject: mail.subject,
        envelope: { from: sender.from.address, to: mail.to },
        raw,
      },
    ]);
    return outcome!;
  } finally {
    await transport.close();
  }
}
