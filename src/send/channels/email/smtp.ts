// The SMTP channel: already built messages over nodemailer's connection pool, each send told as a SendOutcome.
// Every session ends with QUIT (RFC 5321 §4.1.1.10): after SMTP_IDLE_CLOSE_MS without a message, and on close.
import { rootCertificates, TLSSocket } from "node:tls";
import { createTransport } from "nodemailer";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { outcomeOfFailure, type SendOutcome, type SmtpFailure } from "../../outcomes.ts";
import { MIN_TLS_VERSION, type TlsMode } from "./smtp-settings.ts";

/**
 * How long a pooled connection may sit without a message before it says QUIT. A constant, not a setting: long
 * enough to carry a mailing's next group (the rate limiter paces groups by the second), short enough that a
 * finished mailing leaves no session open for the server to time out and drop.
 */
export const SMTP_IDLE_CLOSE_MS = 5_000;

/**
 * How long a connection waits for the server's next reply (or for the socket to take what is written) before it
 * gives the message up. A timeout before the message's data was handed over leaves the delivery to be tried again
 * later; after it, whether the server took the message is unknown (SPEC §7). RFC 5321 §4.5.3.2 allows a server
 * minutes; waiting that long would keep a stalled connection's message, and its lease, for as long. Set by
 * UTSEND_SMTP_REPLY_TIMEOUT_SECONDS.
 */
export const SMTP_REPLY_TIMEOUT_MS = 60_000;

/** How long close() waits for the server to answer QUIT before it drops the socket anyway. */
const QUIT_WAIT_MS = 3_000;

export type SmtpAccount = {
  host: string;
  port: number;
  tlsMode: TlsMode;
  /** The name given in EHLO (`ehloNameFor` in smtp-settings.ts decides it). */
  ehloName: string;
  /** A PEM CA certificate trusted besides the system's, for a server with a private CA or a self-signed one. */
  caCertificate?: string | null;
  user?: string | null;
  pass?: string | null;
  maxConnections: number;
  /** Tests shorten it; everyone else gets SMTP_IDLE_CLOSE_MS. */
  idleCloseMs?: number;
  /** SMTP_REPLY_TIMEOUT_MS unless told. */
  replyTimeoutMs?: number;
};

export type SmtpChannel = {
  /** `envelope.from` is the VERP return path (MAIL FROM), not the From header. */
  send(envelope: { from: string; to: string }, raw: Buffer): Promise<SendOutcome>;
  /** Resolves when the sends in flight have their outcomes and every connection has said QUIT. */
  close(): Promise<void>;
};

type ConnectionInternals = {
  options?: { utsendQuitOnClose?: boolean };
  stage?: string;
  upgrading?: boolean;
  _socket?: { writable?: boolean; destroyed?: boolean; write(data: string): void } | false | null;
  _closing?: boolean;
  _destroyed?: boolean;
  _pendingSend?: unknown;
  _utsendQuit?: boolean;
  quit(): void;
  close(): void;
};

/**
 * nodemailer closes a session it gives up on (STARTTLS refused, a login refused, a 421) by ending the socket without
 * QUIT, which strict servers log as a lost connection. Connections opened with `utsendQuitOnClose` say QUIT first
 * when the session is still in step: connected, not in the middle of a message or of the TLS handshake, and QUIT not
 * sent already. After a failed TLS handshake nothing can be said, so that case still just closes.
 */
function teachQuitOnClose(): void {
  const proto = SMTPConnection.prototype as unknown as ConnectionInternals & { _utsendPatched?: boolean };
  if (proto._utsendPatched) return;
  proto._utsendPatched = true;
  const { quit, close } = proto;
  proto.quit = function (this: ConnectionInternals) {
    this._utsendQuit = true;
    quit.call(this);
  };
  proto.close = function (this: ConnectionInternals) {
    const socket = this._socket || null;
    if (
      this.options?.utsendQuitOnClose &&
      !this._utsendQuit &&
      !this._closing &&
      !this._destroyed &&
      !this.upgrading &&
      !this._pendingSend &&
      this.stage === "connected" &&
      socket?.writable &&
      !socket.destroyed
    ) {
      this._utsendQuit = true;
      try {
        socket.write("QUIT\r\n");
      } catch {
        // The socket went away meanwhile: nothing left to say goodbye on.
      }
    }
    close.call(this);
  };
}
teachQuitOnClose();

/** nodemailer's connection options for an account: the TLS mode, the EHLO name, a verified certificate. */
export function connectionOptions(account: SmtpAccount) {
  return {
    utsendQuitOnClose: true,
    host: account.host,
    port: account.port,
    name: account.ehloName,
    secure: account.tlsMode === "implicit",
    requireTLS: account.tlsMode === "starttls-required",
    // A server that refuses STARTTLS after offering it is then spoken to in clear text, without credentials.
    opportunisticTLS: account.tlsMode === "starttls-opportunistic",
    ignoreTLS: account.tlsMode === "none",
    tls: {
      rejectUnauthorized: true,
      minVersion: MIN_TLS_VERSION,
      // Added to the system's roots rather than replacing them: a public certificate stays trusted too.
      ca: account.caCertificate ? [...rootCertificates, account.caCertificate] : undefined,
    },
    auth: account.user ? { user: account.user, pass: account.pass ?? "" } : undefined,
  } as const;
}

/** Per send: whether nodemailer has read the whole message into the connection. */
type Probe = { dataHandedOver: boolean };

/** The parts of nodemailer's pool that close() needs: its connections, which know how to QUIT. */
type PoolInternals = {
  _connections?: Array<{
    available: boolean;
    connection?: { quit(): void };
    _stopIdleTimer?: () => void;
    once(event: "close", listener: () => void): void;
  }>;
};

export function createSmtpChannel(account: SmtpAccount): SmtpChannel {
  const transport = createTransport({
    pool: true,
    ...connectionOptions(account),
    maxConnections: account.maxConnections,
    maxMessages: Number.POSITIVE_INFINITY,
    // The pool's idle timer sends QUIT (its close() does not: see quitIdleConnections).
    idleTimeout: account.idleCloseMs ?? SMTP_IDLE_CLOSE_MS,
    // nodemailer's inactivity timer: while a reply is awaited nothing arrives, so this is the per-reply timeout.
    socketTimeout: account.replyTimeoutMs ?? SMTP_REPLY_TIMEOUT_MS,
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

  /**
   * nodemailer's pool.close() destroys idle connections without a word; a strict server logs that as a lost
   * connection. So each idle connection is told QUIT first, and the pool closed once they have gone.
   */
  async function quitIdleConnections(): Promise<void> {
    // A connection becomes available again one tick after its send resolved.
    await new Promise((resolve) => setImmediate(resolve));
    const pool = (transport as unknown as { transporter: PoolInternals }).transporter;
    const leaving = (pool._connections ?? [])
      .filter((resource) => resource.available && resource.connection)
      .map(
        (resource) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, QUIT_WAIT_MS);
            resource.once("close", () => {
              clearTimeout(timer);
              resolve();
            });
            resource.available = false;
            resource._stopIdleTimer?.();
            resource.connection!.quit();
          }),
      );
    await Promise.all(leaving);
  }

  return {
    send(envelope, raw) {
      const sending = sendOne(envelope, raw);
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      return sending;
    },
    async close() {
      await Promise.allSettled(inFlight);
      await quitIdleConnections();
      transport.close();
    },
  };
}

function asFailure(err: unknown): SmtpFailure {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & Partial<SmtpFailure>;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code === "ETLS") {
    // No TLS (STARTTLS not offered or refused, a certificate not trusted): the session never reached the message,
    // so it is a connection failure whatever number the server put on its refusal of STARTTLS.
    const reply = typeof e.response === "string" ? ` (server: ${e.response.trim()})` : "";
    return { message: `${e.message}${reply}`, code, command: "CONN" };
  }
  return {
    message: e.message,
    code,
    responseCode: typeof e.responseCode === "number" ? e.responseCode : undefined,
    response: typeof e.response === "string" ? e.response : undefined,
    command: typeof e.command === "string" ? e.command : undefined,
  };
}

export type ConnectionReport = {
  ehloName: string;
  /** The server's EHLO keywords after TLS (PIPELINING, SIZE 10240000, AUTH PLAIN LOGIN, …). */
  extensions: string[];
  tls: {
    version: string;
    cipher: string;
    certificate: { subject: string; issuer: string; validTo: string } | null;
  } | null;
  authenticated: boolean;
};

export type ConnectionStage = "connect" | "tls" | "auth";

export class SmtpConnectionError extends Error {
  readonly stage: ConnectionStage;
  readonly reply: string | null;
  constructor(stage: ConnectionStage, message: string, reply: string | null) {
    super(message);
    this.name = "SmtpConnectionError";
    this.stage = stage;
    this.reply = reply;
  }
}

/**
 * Connects as a send would (EHLO, STARTTLS or TLS, EHLO again, AUTH), sends no message, says QUIT, and reports
 * what the session was: the TLS version, cipher and certificate, and the server's extensions.
 */
export async function testSmtpConnection(
  account: SmtpAccount,
  timeoutMs = 15_000,
): Promise<ConnectionReport> {
  const { auth, ...options } = connectionOptions(account);
  const connection = new SMTPConnection({
    ...options,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
  });
  let failure: Error | null = null;
  let failedInTls = false;
  connection.on("error", (error: Error) => {
    failure ??= error;
    failedInTls ||= Boolean(connection.upgrading);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      connection.once("end", () => reject(failure ?? new Error("the server closed the connection")));
      connection.connect((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    connection.close();
    const e = error as Error & { code?: string; response?: string };
    const tls = e.code === "ETLS" || failedInTls || (account.tlsMode === "implicit" && e.code === "ESOCKET");
    throw new SmtpConnectionError(tls ? "tls" : "connect", e.message, e.response ?? null);
  }
  const extensions = ehloExtensions(connection.lastServerResponse || "");
  const socket = connection._socket;
  let tls: ConnectionReport["tls"] = null;
  if (socket && socket instanceof TLSSocket) {
    const cert = socket.getPeerCertificate();
    tls = {
      version: socket.getProtocol() ?? "",
      cipher: socket.getCipher().name,
      certificate:
        cert && Object.keys(cert).length > 0
          ? {
              subject: distinguishedName(cert.subject),
              issuer: distinguishedName(cert.issuer),
              validTo: new Date(cert.valid_to).toISOString(),
            }
          : null,
    };
  }
  let authenticated = false;
  if (auth) {
    try {
      await new Promise<void>((resolve, reject) =>
        connection.login(auth, (error) => (error ? reject(error) : resolve())),
      );
      authenticated = true;
    } catch (error) {
      connection.close();
      const e = error as Error & { response?: string };
      throw new SmtpConnectionError("auth", e.message, e.response ?? null);
    }
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      connection.close();
      resolve();
    }, QUIT_WAIT_MS);
    connection.once("end", () => {
      clearTimeout(timer);
      resolve();
    });
    connection.quit();
  });
  return { ehloName: account.ehloName, extensions, tls, authenticated };
}

function ehloExtensions(reply: string): string[] {
  return reply
    .split(/\r?\n/)
    .map((line) => line.replace(/^\d{3}[ -]/, "").trim())
    .filter(Boolean)
    .slice(1);
}

function distinguishedName(name: Partial<Record<string, string | string[]>> | undefined): string {
  if (!name) return "";
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join("+") : (value ?? "")}`)
    .join(", ");
}
