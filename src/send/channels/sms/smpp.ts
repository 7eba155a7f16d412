// The SMPP 3.4 transport: one bound session to an SMSC, kept alive and re-bound, and the promise that a part the SMSC
// may have taken is never resent blindly. The `smpp` package only frames PDUs; the window, timers, splitting,
// encoding, acknowledgements and what a lost connection means for each message are ours (STYLE.md, "SMPP").
import smpp, { type PDU, type Session } from "smpp";
import type { Transport } from "../../channel.ts";
import type { SendOutcome } from "../../outcomes.ts";
import { encodeGsm7, encodeUcs2, splitSms } from "./segments.ts";
import type { DeliveryReport, SmsEvents, SmsMessage } from "./types.ts";

export type SmppConfig = {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  systemType?: string;
  bindMode: "transceiver" | "transmitter";
  /** Most submit_sm awaiting their submit_sm_resp at once. */
  window: number;
  /** Keep-alive period; a session that leaves an enquire_link unanswered for a whole period is dropped. Default 30 s. */
  enquireLinkMs?: number;
  /** Back-off between connection attempts after a drop or a refused bind, doubling. Default 1 s to 60 s. */
  reconnect?: { firstMs: number; maxMs: number };
  /** PEM of the SMSC's CA when it is not in Node's store. */
  ca?: string;
  /** A written part without a response by then is lost (its message "unknown"). Default 60 s. */
  responseTimeoutMs?: number;
  /** How long a part waits for a bound session before its message is "temporary". Default 15 s. */
  connectTimeoutMs?: number;
  /** How long throttling answers may keep retrying one part before its message is "temporary". Default 10 min. */
  throttleGiveUpMs?: number;
  /** How long close() waits for the sends in flight. Default 30 s. */
  closeTimeoutMs?: number;
};

export type SmppTransport = Transport<SmsMessage> & {
  /** Bound and able to submit. */
  connected(): boolean;
  /** The window as it is now: lowered by throttling answers, raised again by successes. */
  window(): number;
};

const ROK = 0x00;
const THROTTLED = new Set([0x58 /* ESME_RTHROTTLED */, 0x14 /* ESME_RMSGQFUL */]);
// About the recipient's number, so retrying cannot help; every other refusal (bad sender, bad length, system
// error, bind state) is about us or the SMSC and leaves the recipient retryable.
const PERMANENT = new Set([
  0x0b /* ESME_RINVDSTADR */, 0x50 /* ESME_RINVDSTTON */, 0x51 /* ESME_RINVDSTNPI */,
]);
const ESM_UDHI = 0x40;
const ESM_RECEIPT = 0x04;
const DATA_CODING = { gsm7: 0, ucs2: 8 } as const;

const ERROR_NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));
export function smppStatusText(status: number): string {
  return `${ERROR_NAMES.get(status) ?? "ESME_UNKNOWN"} (0x${status.toString(16).padStart(8, "0")})`;
}

/** What happened to one written (or not written) part. */
type PartResult =
  | { kind: "ok"; id: string }
  | { kind: "refused"; status: number }
  | { kind: "not-written"; reason: string }
  | { kind: "lost"; reason: string };

type Connection = {
  session: Session;
  bound: boolean;
  /** sequence_number → settle, for every submit_sm written and not yet answered. */
  pending: Map<number, (result: PartResult) => void>;
  keepAlive: NodeJS.Timeout | null;
  enquireUnanswered: boolean;
  /** Whether the socket is corked until the current burst of submits has been written (see submit). */
  corked: boolean;
};

/** Alphanumeric senders are TON 5 / NPI 0; numbers TON 1 / NPI 1 (international, E.164) without the "+". */
export function sourceAddress(from: string): {
  source_addr_ton: number;
  source_addr_npi: number;
  source_addr: string;
} {
  if (/^\+?\d+$/.test(from))
    return { source_addr_ton: 1, source_addr_npi: 1, source_addr: from.replace(/^\+/, "") };
  return { source_addr_ton: 5, source_addr_npi: 0, source_addr: from };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` at most `ms`, leaving no timer behind to hold the process open. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export function createSmppTransport(
  config: SmppConfig,
  events: SmsEvents,
  log: (message: string) => void = () => {},
): SmppTransport {
  const enquireLinkMs = config.enquireLinkMs ?? 30_000;
  const backoff = config.reconnect ?? { firstMs: 1_000, maxMs: 60_000 };
  const responseTimeoutMs = config.responseTimeoutMs ?? 60_000;
  const connectTimeoutMs = config.connectTimeoutMs ?? 15_000;
  const throttleGiveUpMs = config.throttleGiveUpMs ?? 600_000;
  const closeTimeoutMs = config.closeTimeoutMs ?? 30_000;

  let current: Connection | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let reconnectDelay = backoff.firstMs;
  let closed = false;
  let boundWaiters: Array<() => void> = [];

  // The window: `limit` halves on a throttling answer and grows by one after a window's worth of successes.
  let limit = Math.max(1, config.window);
  let inFlight = 0;
  let successesSinceGrowth = 0;
  let throttleDelay = 0;
  let pausedUntil = 0;
  const slotWaiters: Array<() => void> = [];
  let reference = Math.floor(Math.random() * 256);
  const active = new Set<Promise<SendOutcome>>();

  function connect(): void {
    if (closed || current || reconnectTimer) return;
    const session = smpp.connect({ host: config.host, port: config.port, tls: config.tls, ca: config.ca });
    const conn: Connection = {
      session,
      bound: false,
      pending: new Map(),
      keepAlive: null,
      enquireUnanswered: false,
      corked: false,
    };
    current = conn;
    // Small PDUs answered one by one: Nagle would hold a submit_sm back until the previous one is acknowledged.
    session.socket.setNoDelay(true);
    session.on(config.tls ? "secureConnect" : "connect", () => bind(conn));
    session.on("error", (err: Error) => log(`smpp ${config.host}:${config.port}: ${err.message}`));
    session.on("close", () => dropped(conn));
    session.on("enquire_link", (pdu: PDU) => session.send(pdu.response()));
    session.on("deliver_sm", (pdu: PDU) => void onDeliver(session, pdu));
    session.on("unbind", (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
  }

  function bind(conn: Connection): void {
    const fields = {
      system_id: config.systemId,
      password: config.password,
      system_type: config.systemType ?? "",
      interface_version: 0x34,
    };
    const onResponse = (pdu: PDU) => {
      if (pdu.command_status !== ROK) {
        log(`smpp bind refused: ${smppStatusText(pdu.command_status)}`);
        conn.session.destroy();
        return;
      }
      conn.bound = true;
      reconnectDelay = backoff.firstMs;
      conn.keepAlive = setInterval(() => keepAlive(conn), enquireLinkMs);
      for (const wake of boundWaiters.splice(0)) wake();
    };
    if (config.bindMode === "transceiver") conn.session.bind_transceiver(fields, onResponse);
    else conn.session.bind_transmitter(fields, onResponse);
  }

  function keepAlive(conn: Connection): void {
    if (conn.enquireUnanswered) {
      log("smpp enquire_link unanswered; dropping the session");
      conn.session.destroy();
      return;
    }
    conn.enquireUnanswered = true;
    conn.session.enquire_link({}, () => {
      conn.enquireUnanswered = false;
    });
  }

  function dropped(conn: Connection): void {
    conn.bound = false;
    if (conn.keepAlive) clearInterval(conn.keepAlive);
    // The package fires no callback for the requests a dropped session leaves unanswered: settle them here.
    for (const settle of [...conn.pending.values()]) {
      settle({ kind: "lost", reason: "the connection closed before the submit_sm_resp" });
    }
    if (current !== conn) return;
    current = null;
    if (closed) return;
    log(`smpp connection closed; reconnecting in ${reconnectDelay} ms`);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, backoff.maxMs);
  }

  /** The bound connection, waiting for a bind when there is none; null when none comes in time or we are closing. */
  async function bound(): Promise<Connection | null> {
    if (current?.bound) return current;
    if (closed) return null;
    connect();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        boundWaiters = boundWaiters.filter((w) => w !== wake);
        resolve();
      }, connectTimeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      boundWaiters.push(wake);
    });
    return current?.bound && !closed ? current : null;
  }

  /** A place in the window; false when closing. */
  async function acquire(): Promise<boolean> {
    for (;;) {
      if (closed) return false;
      const wait = pausedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      else if (inFlight >= limit) await new Promise<void>((resolve) => slotWaiters.push(resolve));
      else {
        inFlight++;
        return true;
      }
    }
  }

  function release(): void {
    inFlight--;
    slotWaiters.shift()?.();
  }

  function succeeded(): void {
    throttleDelay = 0;
    if (limit >= config.window) return;
    if (++successesSinceGrowth >= limit) {
      successesSinceGrowth = 0;
      limit++;
      slotWaiters.shift()?.();
    }
  }

  function throttled(): void {
    limit = Math.max(1, Math.ceil(limit / 2));
    successesSinceGrowth = 0;
    throttleDelay = Math.min(throttleDelay ? throttleDelay * 2 : 100, backoff.maxMs);
    pausedUntil = Math.max(pausedUntil, Date.now() + throttleDelay);
  }

  function submit(conn: Connection, fields: Record<string, unknown>): Promise<PartResult> {
    return new Promise((resolve) => {
      const pdu = new smpp.PDU("submit_sm", fields);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (result: PartResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        conn.pending.delete(pdu.sequence_number);
        resolve(result);
      };
      // The submits of one burst (a window refilled, a batch started) leave in one write: a system call per PDU
      // was the transport's largest single cost (8 % of the pipeline's CPU, and as much again in the SMSC's reads).
      if (!conn.corked) {
        conn.corked = true;
        conn.session.socket.cork();
        process.nextTick(() => {
          conn.corked = false;
          conn.session.socket.uncork();
        });
      }
      const written = conn.session.send(pdu, (resp) =>
        settle(
          resp.command_status === ROK
            ? { kind: "ok", id: String(resp.message_id ?? "") }
            : { kind: "refused", status: resp.command_status },
        ),
      );
      if (!written) {
        settled = true;
        resolve({ kind: "not-written", reason: "the connection was not writable" });
        return;
      }
      conn.pending.set(pdu.sequence_number, settle);
      timer = setTimeout(
        () => settle({ kind: "lost", reason: `no submit_sm_resp within ${responseTimeoutMs} ms` }),
        responseTimeoutMs,
      );
    });
  }

  /** One part until it is answered with something other than "slow down". */
  async function sendPart(fields: Record<string, unknown>): Promise<PartResult> {
    let firstThrottle = 0;
    for (;;) {
      if (!(await acquire())) return { kind: "not-written", reason: "the transport is closing" };
      let result: PartResult;
      try {
        const conn = await bound();
        result = conn
          ? await submit(conn, fields)
          : { kind: "not-written", reason: "no bound SMPP session (connecting or closing)" };
      } finally {
        release();
      }
      if (result.kind === "ok") succeeded();
      if (result.kind !== "refused" || !THROTTLED.has(result.status)) return result;
      throttled();
      firstThrottle ||= Date.now();
      if (Date.now() - firstThrottle > throttleGiveUpMs) return result;
    }
  }

  async function sendMessage(message: SmsMessage): Promise<SendOutcome> {
    const { encoding, parts } = splitSms(message.text);
    if (parts.length === 0) parts.push("");
    const total = parts.length;
    reference = (reference + 1) % 256;
    const ref = reference;
    const common = {
      ...sourceAddress(message.from),
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: message.to.replace(/^\+/, ""),
      esm_class: total > 1 ? ESM_UDHI : 0,
      data_coding: DATA_CODING[encoding],
      registered_delivery: 1,
    };
    const ids: string[] = [];
    for (let i = 0; i < total; i++) {
      const body = encoding === "gsm7" ? encodeGsm7(parts[i]!) : encodeUcs2(parts[i]!);
      const short_message =
        total > 1 ? Buffer.concat([Buffer.from([5, 0, 3, ref, total, i + 1]), body]) : body;
      const result = await sendPart({ ...common, short_message });
      if (result.kind === "ok") {
        ids.push(result.id);
        continue;
      }
      const what = total > 1 ? `part ${i + 1} of ${total}: ` : "";
      const reply = result.kind === "refused" ? smppStatusText(result.status) : result.reason;
      // A part after an accepted one: the recipient may get the beginning of the text; resending would repeat it.
      if (i > 0)
        return { kind: "unknown", reply: `${what}${reply}; parts accepted before: ${ids.join(" ")}` };
      switch (result.kind) {
        case "lost":
          return { kind: "unknown", reply: `${what}${reply}` };
        case "not-written":
          return { kind: "temporary", code: null, status: null, reply: `${what}${reply}` };
        case "refused":
          return PERMANENT.has(result.status)
            ? { kind: "permanent", code: result.status, status: null, reply: `${what}${reply}` }
            : { kind: "temporary", code: result.status, status: null, reply: `${what}${reply}` };
      }
    }
    return { kind: "accepted", reply: `submit_sm_resp ESME_ROK ${ids.join(" ")}`, providerIds: ids };
  }

  async function onDeliver(session: Session, pdu: PDU): Promise<void> {
    try {
      const text = textOf(pdu);
      if ((Number(pdu.esm_class) & ESM_RECEIPT) !== 0) {
        const report = parseReceipt(text, pdu.receipted_message_id as string | undefined, new Date());
        if (report) await events.report(report);
      } else {
        await events.inbound({
          from: addressOf(pdu.source_addr, pdu.source_addr_ton),
          to: addressOf(pdu.destination_addr, pdu.dest_addr_ton),
          text,
          at: new Date().toISOString(),
        });
      }
    } catch (err) {
      log(`smpp deliver_sm not handled: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      // After the handler, so a crash before it is done leaves the SMSC to deliver it again.
      session.send(pdu.response());
    }
  }

  function send(batch: SmsMessage[]): Promise<SendOutcome[]> {
    return Promise.all(
      batch.map((message) => {
        const sending = sendMessage(message).catch(
          (err): SendOutcome => ({ kind: "temporary", code: null, status: null, reply: String(err) }),
        );
        active.add(sending);
        void sending.finally(() => active.delete(sending));
        return sending;
      }),
    );
  }

  async function close(): Promise<void> {
    if (closed) return;
    await within(Promise.allSettled([...active]), closeTimeoutMs);
    closed = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    for (const wake of boundWaiters.splice(0)) wake();
    for (const wake of slotWaiters.splice(0)) wake();
    const conn = current;
    if (!conn) return;
    if (conn.bound) {
      // unbind_resp comes after the responses to what was written before it; a silent SMSC gets 5 s.
      await within(new Promise<void>((resolve) => conn.session.unbind({}, () => resolve())), 5_000);
    }
    await within(new Promise<void>((resolve) => conn.session.close(resolve)), 5_000);
  }

  return {
    send,
    close,
    connected: () => current?.bound === true,
    window: () => limit,
  };
}

function addressOf(address: unknown, ton: unknown): string {
  const text = String(address ?? "");
  return Number(ton) === 1 && text !== "" ? `+${text}` : text;
}

/** The text of a deliver_sm as the package decoded it by data_coding (short_message, else message_payload). */
function textOf(pdu: PDU): string {
  for (const field of [pdu.short_message, pdu.message_payload]) {
    const message = (field as { message?: unknown } | undefined)?.message;
    if (typeof message === "string" && message !== "") return message;
    if (Buffer.isBuffer(message) && message.length > 0) return message.toString("latin1");
  }
  return "";
}

const NO_REPORT = new Set(["ENROUTE", "ACCEPTD"]);

/**
 * A delivery receipt's text (SMPP 3.4 appendix B: "id:X sub:001 dlvrd:001 submit date:… done date:… stat:DELIVRD
 * err:000 text:…"); the receipted_message_id TLV wins over the text's id. ENROUTE and ACCEPTD are not an end state:
 * no report. `at` is when the receipt arrived: the SMSC writes its dates without a time zone.
 */
export function parseReceipt(
  text: string,
  receiptedId: string | undefined,
  now: Date,
): DeliveryReport | null {
  const id = receiptedId || /\bid:(\S+)/i.exec(text)?.[1];
  const stat = /\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase();
  if (!id || !stat || NO_REPORT.has(stat)) return null;
  const err = /\berr:(\w+)/i.exec(text)?.[1];
  const delivered = stat === "DELIVRD";
  return {
    providerMessageId: id,
    status: delivered ? "delivered" : "failed",
    code: delivered || !err ? stat : `${stat}:${err}`,
    at: now.toISOString(),
  };
}
