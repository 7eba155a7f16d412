// The SMTP channel: already built messages over nodemailer's connection pool, each send told as a SendOutcome.
import { createTransport } from "nodemailer";
import { outcomeOfFailure, type SendOutcome, type SmtpFailure } from "../../outcomes.ts";

export type SmtpAccount = {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string | null;
  pass?: string | null;
  maxConnections: number;
  /** Do not upgrade with STARTTLS even when offered (a local test server). */
  ignoreTls?: boolean;
};

export type SmtpChannel = {
  /** `envelope.from` is the VERP return path (MAIL FROM), not the From header. */
  send(envelope: { from: string; to: string }, raw: Buffer): Promise<SendOutcome>;
  /** Closes idle connections at once and resolves when the sends in flight have their outcomes. */
  close(): Promise<void>;
};

/** Per send: whether nodemailer has read the whole message into the connection. */
type Probe = { dataHandedOver: boolean };

export function createSmtpChannel(account: SmtpAccount): SmtpChannel {
  const transport = createTransport({
    pool: true,
    host: account.host,
    port: account.port,
    secure: account.secure,
    ignoreTLS: account.ignoreTls ?? false,
    auth: account.user ? { user: account.user, pass: account.pass ?? "" } : undefined,
    maxConnections: account.maxConnections,
    maxMessages: Number.POSITIVE_INFINITY,
    // The pool would put a message back in its queue when its connection closes before a byte of it was read.
    // That is safe, but a resend must be the send loop's decision, visible in the database, never the pool's.
    maxRequeues: 0,
    logger: false,
  });

  // Keyed by the envelope object of one send: nodemailer hands the same object to the plugin.
  const probes = new WeakMap<object, Probe>();
  transport.use("stream", (mail, done) => {
    const probe = mail.data.envelope ? probes.get(mail.data.envelope) : undefined;
    if (probe) {
      mail.message.processFunc((input) => {
        // 'end' fires once the connection has read the last byte; it writes the final "." only after that.
        input.once("end", () => {
          probe.dataHandedOver = true;
        });
        return input;
      });
    }
    done();
  });

  const inFlight = new Set<Promise<SendOutcome>>();

  async function sendOne(envelope: { from: string; to: string }, raw: Buffer): Promise<SendOutcome> {
    const smtpEnvelope = { from: envelope.from, to: [envelope.to] };
    const probe: Probe = { dataHandedOver: false };
    probes.set(smtpEnvelope, probe);
    try {
      const info = await transport.sendMail({ envelope: smtpEnvelope, raw });
      return { kind: "accepted", reply: info.response };
    } catch (err) {
      return outcomeOfFailure(asFailure(err), probe.dataHandedOver);
    }
  }

  return {
    send(envelope, raw) {
      const sending = sendOne(envelope, raw);
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      return sending;
    },
    async close() {
      transport.close();
      await Promise.allSettled(inFlight);
    },
  };
}

function asFailure(err: unknown): SmtpFailure {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & Partial<SmtpFailure>;
  return {
    message: e.message,
    code: typeof e.code === "string" ? e.code : undefined,
    responseCode: typeof e.responseCode === "number" ? e.responseCode : undefined,
    response: typeof e.response === "string" ? e.response : undefined,
    command: typeof e.command === "string" ? e.command : undefined,
  };
}
