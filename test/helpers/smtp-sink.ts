// A real SMTP server on 127.0.0.1:0 that keeps (and parses) what it receives, answers as a test scripts it,
// and checks DKIM signatures against records given in the test instead of DNS.
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import PostalMime, { type Email } from "postal-mime";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

export type SinkEnvelope = { from: string; to: string[] };
export type SinkMessage = { envelope: SinkEnvelope; raw: Buffer; parsed?: Email };
export type SinkReply = { code: number; message: string };

export type SmtpSinkOptions = {
  /** A reply to refuse this recipient with; null accepts it. */
  rcptReply?: (address: string) => SinkReply | null;
  /** A reply to refuse the message with after its data arrived; null accepts it (250) and keeps it. */
  dataReply?: (raw: Buffer, envelope: SinkEnvelope) => SinkReply | null;
  /** Read the whole message, then drop the connection without answering: the client cannot know the outcome. */
  dropAfterData?: (envelope: SinkEnvelope) => boolean;
  /**
   * Holds the reply to RCPT TO ("rcpt") or to the message's data ("data") for this recipient until the promise
   * settles: a slow or stalled server, as the test releases it. null answers at once.
   */
  holdReply?: (stage: "rcpt" | "data", recipient: string) => Promise<void> | null;
  /** Parse each kept message with postal-mime (default true). */
  parse?: boolean;
  /** Offer STARTTLS with this key and certificate (PEM); without it the sink never offers STARTTLS. */
  tls?: { key: string; cert: string };
};

/** One SMTP session as the sink saw it: the EHLO name, whether TLS was set up, and how it ended. */
export type SinkSession = {
  id: string;
  ehloName: string | null;
  secure: boolean;
  /** The client sent QUIT. */
  quit: boolean;
  closed: boolean;
};

export type SmtpSink = {
  host: "127.0.0.1";
  port: number;
  messages: SinkMessage[];
  /** Connections accepted so far (to see that a pool reuses them). */
  readonly connections: number;
  /** Every session, in the order they were opened. */
  sessions: SinkSession[];
  /** Resolves once every session opened so far has closed. */
  waitForClosed(timeoutMs?: number): Promise<SinkSession[]>;
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
};

const MAX_SIZE = 25 * 1024 * 1024;

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const parse = options.parse ?? true;
  const messages: SinkMessage[] = [];
  const waiters = new Set<() => void>();
  let connections = 0;
  const sessions: SinkSession[] = [];
  const sessionOf = (id: string) => sessions.find((x) => x.id === id);

  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { disabledCommands: ["STARTTLS"] }),
    hideENHANCEDSTATUSCODES: true, // the replies carry exactly the status a test wrote
    size: MAX_SIZE,
    logger: false,
    closeTimeout: 200,
    onConnect(session, callback) {
      connections++;
      const seen: SinkSession = { id: session.id, ehloName: null, secure: false, quit: false, closed: false };
      sessions.push(seen);
      // smtp-server has no QUIT hook: wrap this connection's handler to see it.
      for (const connection of server.connections as Set<QuitHandler>) {
        if (connection.id !== session.id) continue;
        const quit = connection.handler_QUIT.bind(connection);
        connection.handler_QUIT = (command, done) => {
          seen.quit = true;
          quit(command, done);
        };
      }
      callback();
    },
    onSecure(_socket, session, callback) {
      const seen = sessionOf(session.id);
      if (seen) seen.secure = true;
      callback();
    },
    onMailFrom(_address, session, callback) {
      const seen = sessionOf(session.id);
      if (seen) seen.ehloName = session.hostNameAppearsAs || null;
      callback();
    },
    onClose(session) {
      const seen = sessionOf(session.id);
      if (!seen) return;
      seen.ehloName ??= session.hostNameAppearsAs || null;
      seen.closed = true;
      for (const wake of waiters) wake();
    },
    onRcptTo(address, _session, callback) {
      const answer = () => {
        const reply = options.rcptReply?.(address.address);
        callback(reply ? replyError(reply) : null);
      };
      const hold = options.holdReply?.("rcpt", address.address);
      if (hold) void hold.then(answer, answer);
      else answer();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        void (async () => {
          const raw = Buffer.concat(chunks);
          const envelope = envelopeOf(session);
          const hold = envelope.to[0] ? options.holdReply?.("data", envelope.to[0]) : null;
          if (hold) await hold.catch(() => {});
          if (stream.sizeExceeded)
            return callback(replyError({ code: 552, message: "5.3.4 Message too big" }));
          if (options.dropAfterData?.(envelope)) {
            for (const connection of server.connections) {
              if (connection.id === session.id) connection._socket.destroy();
            }
            return;
          }
          const reply = options.dataReply?.(raw, envelope);
          if (reply) return callback(replyError(reply));
          const message: SinkMessage = { envelope, raw };
          if (parse) message.parsed = await PostalMime.parse(raw);
          messages.push(message);
          for (const wake of waiters) wake();
          callback(null, "2.0.0 Kept");
        })().catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A client that dies mid-session (the crash test kills senders) resets its socket: that is expected, not a failure.
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "ECONNRESET" && error.code !== "EPIPE") throw error;
  });
  const address = server.server.address();
  if (!address || typeof address === "string") throw new Error("SMTP sink has no TCP address");

  return {
    host: "127.0.0.1",
    port: address.port,
    messages,
    get connections() {
      return connections;
    },
    sessions,
    waitForClosed(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!sessions.every((x) => x.closed)) return;
          cleanup();
          resolve(sessions);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`SMTP sink: ${sessions.filter((x) => !x.closed).length} sessions still open`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          cleanup();
          resolve(messages.slice(0, count));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`SMTP sink got ${messages.length} of ${count} messages in ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise((resolve) => {
        for (const connection of server.connections) connection.close();
        server.close(() => resolve());
      });
    },
  };
}

type QuitHandler = {
  id: string;
  handler_QUIT(command: Buffer, done: () => void): void;
};

function envelopeOf(session: SMTPServerSession): SinkEnvelope {
  return {
    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
    to: session.envelope.rcptTo.map((r) => r.address),
  };
}

function replyError(reply: SinkReply): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

/**
 * Verifies the message's DKIM signatures with mailauth, answering its DNS queries from `records`
 * (`selector._domainkey.domain` → TXT value) so no test touches the network.
 */
export async function verifyDkim(
  raw: Buffer,
  records: Record<string, string>,
): Promise<{ result: "pass" | string; signedHeaders: string[] }> {
  const resolver = async (name: string, rrtype: string): Promise<string[][]> => {
    const value = rrtype === "TXT" ? records[name.toLowerCase()] : undefined;
    if (value === undefined) {
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    }
    // DNS hands back a long TXT record as strings of at most 255 characters.
    return [value.match(/.{1,255}/g) ?? [""]];
  };
  // Strict: the signature must follow RFC 6376 to the letter, and a body hash mismatch is "fail", not "neutral".
  const { results } = await dkimVerify(raw, { resolver, strict: true });
  const first = results[0];
  if (!first) return { result: "none", signedHeaders: [] };
  return {
    result: first.status.result,
    signedHeaders: first.signingHeaders?.keys.split(":").map((k) => k.trim().toLowerCase()) ?? [],
  };
}

/** The header block of a raw message, as a DSN or ARF report quotes it. */
export function headersOf(raw: Buffer): string {
  const text = raw.toString("utf8");
  const end = text.indexOf("\r\n\r\n");
  return end < 0 ? text : text.slice(0, end);
}
