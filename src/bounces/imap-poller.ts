// The IMAP poller for set-ups where bounces land in a mailbox: each message is stored once (keyed by its Message-ID,
// else by UIDVALIDITY and UID), processed like mail from the SMTP receiver, and only after the row is committed
// moved to the processed folder or deleted. A crash in between leaves the message in the mailbox and its row stored;
// the next poll finds the row instead of storing it again, finishes it and removes the message.
import { createHash } from "node:crypto";
import { ImapFlow } from "imapflow";
import type { Db } from "../db/connect.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import type { Config } from "../shared/config.ts";
import { AppError } from "../shared/errors.ts";
import { MAX_MESSAGE_BYTES } from "./classify.ts";
import { processInbound, readBounceSettings, storeInboundOnce } from "./inbound.ts";
import { header, parseHeaderBlock } from "./message.ts";

export type ImapMailbox = {
  host: string;
  port: number;
  /** TLS from the first byte (imaps); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
};

export type ImapPollerSettings = {
  mailbox: ImapMailbox;
  after: "move" | "delete";
  folder: string;
  intervalMs: number;
};

export type ImapPollOptions = Omit<ImapPollerSettings, "intervalMs"> & {
  db: Db;
  keys: Keyring;
  maxMessageBytes?: number;
  log?: (line: string) => void;
  /** Runs after a message is stored, before it is processed and removed; tests throw here to play a crash. */
  afterStore?: (inboundId: number) => void | Promise<void>;
};

export type PollResult = {
  /** Messages in the mailbox when the poll began. */
  found: number;
  stored: number;
  /** Stored by an earlier poll that stopped before removing them. */
  alreadyStored: number;
  removed: number;
  /** Left in the mailbox: too big, or an error (logged); the next poll tries again. */
  skipped: number;
};

function configProblem(problem: string): AppError {
  return new AppError("CONFIG_INVALID", `Invalid configuration:\n- UTSEND_BOUNCE_IMAP_URL: ${problem}`, {
    problems: [`UTSEND_BOUNCE_IMAP_URL: ${problem}`],
  });
}

/** `imaps://user:password@host:993/INBOX`; the password never appears in an error. */
export function parseImapUrl(text: string): ImapMailbox {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw configProblem("is not a URL");
  }
  const secure = url.protocol === "imaps:";
  if (!secure && url.protocol !== "imap:") throw configProblem("must start with imap:// or imaps://");
  if (!url.hostname) throw configProblem("names no host");
  if (!url.username) throw configProblem("names no user (imaps://user:password@host/INBOX)");
  let user: string;
  let password: string;
  let mailbox: string;
  try {
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
    mailbox = decodeURIComponent(url.pathname.replace(/^\//, "")) || "INBOX";
  } catch {
    throw configProblem("has a broken %-escape");
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    user,
    password,
    mailbox,
  };
}

/** The poller's settings from the config, or null when no mailbox is configured. */
export function imapPollerSettings(config: Config): ImapPollerSettings | null {
  if (!config.bounceImapUrl) return null;
  return {
    mailbox: parseImapUrl(config.bounceImapUrl),
    after: config.bounceImapAfter,
    folder: config.bounceImapFolder,
    intervalMs: config.bounceImapIntervalSeconds * 1000,
  };
}

/** The same, for the commands that only poll: no mailbox configured is an error. */
export function requireImapPollerSettings(config: Config): ImapPollerSettings {
  const settings = imapPollerSettings(config);
  if (!settings) throw configProblem("is not set: there is no mailbox to poll");
  return settings;
}

export function describeMailbox(m: ImapMailbox): string {
  return `${m.secure ? "imaps" : "imap"}://${m.user}@${m.host}:${m.port}/${m.mailbox}`;
}

/**
 * The message's identity across polls. The Message-ID survives a mailbox being rebuilt (a new UIDVALIDITY); a
 * message without one is known by its place. Long ids are hashed to keep the unique index small.
 */
export function sourceKeyOf(m: ImapMailbox, uidValidity: bigint, uid: number, messageId?: string): string {
  const mid = messageId?.trim();
  if (mid) return `message-id:${mid.length <= 200 ? mid : createHash("sha256").update(mid).digest("hex")}`;
  return `imap:${m.user}@${m.host}/${m.mailbox};uidvalidity=${uidValidity};uid=${uid}`;
}

function addressIn(value: string | undefined): string | undefined {
  const m = value ? /<([^>]*)>|(\S+@\S+)/.exec(value) : null;
  return m ? (m[1] ?? m[2]) : undefined;
}

const LIST_HEADERS = ["message-id", "return-path", "x-original-to", "delivered-to"];

function mailboxFailed(m: ImapMailbox, err: unknown): AppError {
  const e = err as { message?: string; responseText?: string; code?: string };
  const parts: string[] = [];
  for (const part of [e.responseText, e.message, e.code])
    if (part && !parts.some((p) => p.includes(part))) parts.push(part);
  const cause = parts.join(": ") || String(err);
  return new AppError("BOUNCE_MAILBOX_FAILED", `bounce mailbox ${describeMailbox(m)}: ${cause}`, {
    mailbox: describeMailbox(m),
    cause,
  });
}

/** Connects and logs in, creating the processed folder when messages are moved there. */
export async function connectMailbox(
  options: Pick<ImapPollOptions, "mailbox" | "after" | "folder" | "log">,
): Promise<ImapFlow> {
  const m = options.mailbox;
  const client = new ImapFlow({
    host: m.host,
    port: m.port,
    secure: m.secure,
    auth: { user: m.user, pass: m.password },
    logger: false,
    // IDLE soon after a poll, so that mail arriving between polls is announced (the default waits 15 s).
    autoIdleDelay: 1000,
  });
  // Without a listener a dropped connection would throw from the event emitter and end the process.
  client.on("error", (err: Error) => options.log?.(`bounce mailbox: ${err.message}`));
  try {
    await client.connect();
    if (options.after === "move") await client.mailboxCreate(options.folder);
  } catch (err) {
    client.close();
    throw mailboxFailed(m, err);
  }
  return client;
}

/** One pass over the mailbox on a connected client. */
export async function pollMailbox(client: ImapFlow, options: ImapPollOptions): Promise<PollResult> {
  const { db, keys, mailbox } = options;
  const log = options.log ?? (() => {});
  const maxBytes = Math.min(options.maxMessageBytes ?? MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES);
  const result: PollResult = { found: 0, stored: 0, alreadyStored: 0, removed: 0, skipped: 0 };
  let lock: Awaited<ReturnType<ImapFlow["getMailboxLock"]>>;
  try {
    lock = await client.getMailboxLock(mailbox.mailbox);
  } catch (err) {
    throw mailboxFailed(mailbox, err);
  }
  try {
    const box = client.mailbox;
    if (!box || box.exists === 0) return result;
    const listed = await client.fetchAll("1:*", { uid: true, size: true, headers: LIST_HEADERS });
    result.found = listed.length;
    const settings = await readBounceSettings(db);
    for (const item of listed) {
      const uid = String(item.uid);
      if ((item.size ?? 0) > maxBytes) {
        log(`bounce mailbox: uid ${uid} is ${item.size} bytes, over ${maxBytes}; left in the mailbox`);
        result.skipped++;
        continue;
      }
      const headers = parseHeaderBlock(item.headers?.toString("utf8") ?? "");
      let id: number;
      try {
        const full = await client.fetchOne(uid, { source: true }, { uid: true });
        const source = full === false ? undefined : full.source;
        if (!source) {
          result.skipped++; // removed meanwhile by another client
          continue;
        }
        const stored = await storeInboundOnce(db, {
          envelopeFrom: addressIn(header(headers, "return-path")) ?? "",
          recipient:
            addressIn(header(headers, "x-original-to")) ??
            addressIn(header(headers, "delivered-to")) ??
            mailbox.user,
          route: "imap",
          raw: source,
          sourceKey: sourceKeyOf(mailbox, box.uidValidity, item.uid, header(headers, "message-id")),
        });
        id = stored.id;
        if (stored.created) result.stored++;
        else result.alreadyStored++;
      } catch (err) {
        if (!client.usable) throw mailboxFailed(mailbox, err);
        log(`bounce mailbox: uid ${uid} not stored, left in the mailbox: ${(err as Error).message}`);
        result.skipped++;
        continue;
      }
      await options.afterStore?.(id);
      try {
        const outcome = await processInbound(db, keys, id, settings);
        if (outcome)
          log(`inbound ${id}: ${outcome.status} ${outcome.kind ?? ""} delivery ${outcome.deliveryId ?? "-"}`);
        // Only now, with the row committed, may the mailbox forget the message.
        const removed =
          options.after === "move"
            ? await client.messageMove(uid, options.folder, { uid: true })
            : await client.messageDelete(uid, { uid: true });
        if (removed) result.removed++;
      } catch (err) {
        if (!client.usable) throw mailboxFailed(mailbox, err);
        log(`bounce mailbox: inbound ${id} (uid ${uid}) left in the mailbox: ${(err as Error).message}`);
      }
    }
    return result;
  } finally {
    lock.release();
  }
}

/** Connects, polls once, logs out (`utsend bounces poll --once`). */
export async function pollMailboxOnce(options: ImapPollOptions): Promise<PollResult> {
  const client = await connectMailbox(options);
  try {
    return await pollMailbox(client, options);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export type ImapPoller = { stop(): Promise<void> };

/**
 * Polls until stopped: on one connection, every `intervalMs`, and at once when the server announces new mail while
 * the connection idles (imapflow IDLEs on the selected mailbox between commands). Failures are logged and retried.
 */
export function startImapPoller(
  options: ImapPollOptions & { intervalMs: number; onPoll?: (result: PollResult) => void },
): ImapPoller {
  const log = options.log ?? (() => {});
  let stopped = false;
  let newMail = false;
  let wake: (() => void) | null = null;
  let client: ImapFlow | null = null;

  const pause = () =>
    new Promise<void>((resolve) => {
      if (newMail || stopped) return resolve();
      const timer = setTimeout(done, options.intervalMs);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const loop = (async () => {
    while (!stopped) {
      newMail = false;
      try {
        if (!client?.usable) {
          client?.close();
          client = await connectMailbox(options);
          client.on("exists", (event: { count: number; prevCount: number }) => {
            if (event.count > event.prevCount) {
              newMail = true;
              wake?.();
            }
          });
        }
        const r = await pollMailbox(client, options);
        options.onPoll?.(r);
        if (r.found > 0)
          log(
            `bounce mailbox: ${r.found} found, ${r.stored} stored, ${r.alreadyStored} already stored, ${r.removed} removed, ${r.skipped} skipped`,
          );
      } catch (err) {
        log(`bounce mailbox poll failed: ${(err as Error).message}`);
        client?.close();
        client = null;
      }
      await pause();
    }
    const last = client as ImapFlow | null;
    await last?.logout().catch(() => last.close());
  })();

  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
