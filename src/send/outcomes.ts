// What an SMTP reply says about a delivery: its RFC 3463 enhanced status, and whether that status is hard.

// Lookarounds keep IP addresses ("10.5.1.1") and version numbers ("Postfix 3.5.1") from reading as a status.
const STATUS = /(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w.]*\d)/g;
const REPLY_CODE = /^([2-5])\d\d[ -]/;

/**
 * The enhanced status code in an SMTP reply ("550 5.1.1 <x@y>: User unknown" → "5.1.1"), or null. RFC 2034
 * puts it right after the reply code; servers that write it elsewhere in the text are read too, but only a
 * status of the reply code's own class counts (a 5.x.x inside a 250 reply is not the outcome).
 */
export function parseEnhancedStatus(reply: string): string | null {
  const klass = REPLY_CODE.exec(reply)?.[1];
  for (const m of reply.matchAll(STATUS)) {
    if (klass && m[1] !== klass) continue;
    return `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
  }
  return null;
}

/**
 * Hard = the recipient's address is permanently bad (SPEC §7): 5.1.x (bad mailbox, bad domain, moved) and
 * 5.2.1 (mailbox disabled). Everything else is soft, also 5.2.2 (mailbox full) and 5.7.x (policy): the same
 * address may take the next mailing. 5.1.7 and 5.1.8 are 5.1.x but name the *sender's* address, so they say
 * nothing about the recipient and are soft.
 */
export function isHardStatus(status: string | null): boolean {
  if (!status) return false;
  const [klass, subject, detail] = status.split(".").map(Number);
  if (klass !== 5) return false;
  if (subject === 1) return detail !== 7 && detail !== 8;
  return subject === 2 && detail === 1;
}

/** What one SMTP send attempt came to; SPEC §7's outcome table decides what each does to the delivery. */
export type SendOutcome =
  /** `providerIds`: the ids an SMS provider gave the message's parts, to match its delivery reports by. */
  | { kind: "accepted"; reply: string; providerIds?: string[] }
  /**
   * 4xx, or a failure before the message data was handed over: nothing was delivered, safe to retry. Also a 5xx
   * that refuses the session rather than the message (a failed login: 535 5.7.8), so a broken sending account
   * does not fail its recipients.
   */
  | { kind: "temporary"; code: number | null; status: string | null; reply: string }
  /** 5xx to MAIL FROM, RCPT TO or the message data. */
  | { kind: "permanent"; code: number; status: string | null; reply: string }
  /** The connection broke after the data was sent and before the reply: the server may have taken it. Never retried. */
  | { kind: "unknown"; reply: string };

/** The fields of a nodemailer SMTP error that tell the outcome. */
export type SmtpFailure = {
  message: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
};

// Replies to these commands are about this message and recipient; any other reply (greeting, EHLO, AUTH,
// STARTTLS) is about the server or the sending account and says nothing about the recipient.
const MESSAGE_COMMANDS = new Set(["MAIL FROM", "RCPT TO", "DATA"]);

/**
 * The outcome of a failed send. `dataHandedOver` says whether the whole message was given to the connection;
 * nodemailer's error cannot tell: a connection that breaks while the server is still to reply to RCPT TO and
 * one that breaks after the final "." both come as ECONNECTION / command "CONN" without a response code.
 */
export function outcomeOfFailure(err: SmtpFailure, dataHandedOver: boolean): SendOutcome {
  const code = err.responseCode;
  const reply = (err.response ?? err.message).trim();
  if (code !== undefined && code >= 400 && code < 600) {
    const status = parseEnhancedStatus(reply);
    // 503 (bad sequence of commands) is the session's state, not a refusal of the message.
    if (code >= 500 && code !== 503 && MESSAGE_COMMANDS.has(err.command ?? "")) {
      return { kind: "permanent", code, status, reply };
    }
    return { kind: "temporary", code, status, reply };
  }
  if (dataHandedOver) return { kind: "unknown", reply };
  return { kind: "temporary", code: null, status: null, reply };
}
