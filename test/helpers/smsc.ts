// An SMSC in the test process (the `smpp` package's server side): binds, keep-alives and unbinds answered, every
// submit_sm recorded as a part with the concatenation header read back, message ids given out, delivery receipts
// sent when asked (after the submit_sm_resp, before it, or not at all; UNDELIV for chosen numbers), and replies
// from phones (mobile-originated deliver_sm) sent on a bound transceiver session.
import type { AddressInfo } from "node:net";
import smpp, { type PDU, type Session } from "smpp";

/** What the SMSC answers a submit_sm with: an id (ESME_ROK), an error status, or nothing until a test responds. */
export type SmscAnswer = { status: number } | "ok" | "hold";

/** When an accepted part's delivery receipt is sent: after its submit_sm_resp, before it, or never. */
export type ReceiptMode = "after" | "before" | "none";

/** One submit_sm as the SMSC read it. `ref`, `total` and `seq` come from the UDH (one part: null, 1, 1). */
export type SmscPart = {
  /** E.164 with "+", from destination_addr (TON 1). */
  to: string;
  from: string;
  text: string;
  dataCoding: number;
  ref: number | null;
  total: number;
  seq: number;
  /** The id given in the submit_sm_resp; null when the part was refused or is held. */
  messageId: string | null;
  sessionId: number;
};

/** A message put back together from its parts (by number and concatenation reference), in part order. */
export type SmscMessage = { to: string; ref: number | null; total: number; text: string; parts: SmscPart[] };

export type Smsc = {
  host: "127.0.0.1";
  port: number;
  /** Every bind PDU, in order. */
  binds: PDU[];
  /** Every submit_sm PDU, in order, as the package decoded it. */
  submits: PDU[];
  parts: SmscPart[];
  /** Every session that connected, in order (also the closed ones). */
  sessions: Session[];
  /** submit_sm answered "hold", waiting for `respond`. */
  held: Array<{ session: Session; pdu: PDU }>;
  /** Decides each submit_sm's answer; `n` counts from 1. Default: "ok". */
  answer: (pdu: PDU, n: number) => SmscAnswer;
  /** What a bind is answered with: ESME_ROK unless a test says otherwise. */
  bindStatus: number;
  /** Receipts for accepted parts, for every number or per number ("+47…"). Default: "none". */
  receipts: ReceiptMode | ((to: string) => ReceiptMode);
  /** Numbers ("+47…") whose receipts say stat:UNDELIV err:001 instead of stat:DELIVRD err:000. */
  undeliverable: Set<string>;
  /** Answers a submit_sm (ESME_ROK with the next message id unless `status` says otherwise). */
  respond(session: Session, pdu: PDU, status?: number): void;
  /** The parts put together into messages. */
  messages(): SmscMessage[];
  /** Sends a reply from a phone on the newest open transceiver session; resolves with its deliver_sm_resp status. */
  inbound(from: string, to: string, text: string): Promise<number>;
  /** Resolves when every receipt sent so far has been answered (the client answers after handling it). */
  receiptsAnswered(): Promise<void>;
  close(): Promise<void>;
};

const ESM_UDHI = 0x40;
const ESM_RECEIPT = 0x04;
/** message_state TLV (SMPP 3.4 §5.2.28). */
const MESSAGE_STATE = { DELIVRD: 2, UNDELIV: 5 } as const;

const e164 = (address: unknown, ton: unknown) =>
  Number(ton) === 1 ? `+${String(address ?? "")}` : String(address ?? "");

/** An address field with its TON/NPI: a number as international (1/1) without the "+", else alphanumeric (5/0). */
function address(field: "source_addr" | "dest_addr", value: string): Record<string, string | number> {
  const numeric = /^\+?\d+$/.test(value);
  return {
    [`${field}_ton`]: numeric ? 1 : 5,
    [`${field}_npi`]: numeric ? 1 : 0,
    [field === "dest_addr" ? "destination_addr" : field]: value.replace(/^\+/, ""),
  };
}

/** YYMMDDhhmm, the receipt's date format. */
function receiptDate(d: Date): string {
  return d.toISOString().replace(/[-T:]/g, "").slice(2, 12);
}

export async function startSmsc(): Promise<Smsc> {
  let ids = 0;
  let sessionIds = 0;
  const idOf = new Map<Session, number>();
  const transceivers = new Set<Session>();
  const unanswered = new Set<Promise<void>>();
  const partOf = new WeakMap<PDU, SmscPart>();
  /** Per session, what waits for an answer from it: settled when the session closes. */
  const waiting = new Map<Session, Set<() => void>>();
  const waitingOn = (session: Session) => waiting.get(session) ?? new Set();

  function sendReceipt(session: Session, part: SmscPart): void {
    const stat = smsc.undeliverable.has(part.to) ? "UNDELIV" : "DELIVRD";
    const now = receiptDate(new Date());
    const text =
      `id:${part.messageId} sub:001 dlvrd:${stat === "DELIVRD" ? "001" : "000"} submit date:${now} ` +
      `done date:${now} stat:${stat} err:${stat === "DELIVRD" ? "000" : "001"} text:${part.text.slice(0, 20)}`;
    const answered = new Promise<void>((resolve) => {
      const written = session.deliver_sm(
        {
          ...address("source_addr", part.to),
          ...address("dest_addr", part.from),
          esm_class: ESM_RECEIPT,
          short_message: text,
          receipted_message_id: part.messageId,
          message_state: MESSAGE_STATE[stat],
        },
        () => {
          waitingOn(session).delete(resolve);
          resolve();
        },
      );
      // A session that is gone answers nothing: the receipt is lost, as with an SMSC that gives up.
      if (!written) resolve();
      else waitingOn(session).add(resolve);
    });
    unanswered.add(answered);
    void answered.then(() => unanswered.delete(answered));
  }

  const smsc: Smsc = {
    host: "127.0.0.1",
    port: 0,
    binds: [],
    submits: [],
    parts: [],
    sessions: [],
    held: [],
    answer: () => "ok",
    bindStatus: 0,
    receipts: "none",
    undeliverable: new Set(),
    respond(session, pdu, status = 0) {
      if (status !== 0) {
        session.send(pdu.response({ command_status: status }));
        return;
      }
      const messageId = `msg-${++ids}`;
      const part = partOf.get(pdu);
      if (part) part.messageId = messageId;
      const mode = part
        ? typeof smsc.receipts === "function"
          ? smsc.receipts(part.to)
          : smsc.receipts
        : "none";
      if (part && mode === "before") sendReceipt(session, part);
      session.send(pdu.response({ message_id: messageId }));
      if (part && mode === "after") sendReceipt(session, part);
    },
    messages() {
      const byKey = new Map<string, SmscMessage>();
      smsc.parts.forEach((part, i) => {
        const key = part.ref === null ? `${part.to} single ${i}` : `${part.to} ${part.ref} ${part.total}`;
        let message = byKey.get(key);
        if (!message) {
          message = { to: part.to, ref: part.ref, total: part.total, text: "", parts: [] };
          byKey.set(key, message);
        }
        message.parts.push(part);
      });
      return [...byKey.values()].map((m) => {
        const parts = [...m.parts].sort((a, b) => a.seq - b.seq);
        return { ...m, parts, text: parts.map((p) => p.text).join("") };
      });
    },
    inbound(from, to, text) {
      const session = [...transceivers].at(-1);
      if (!session) return Promise.reject(new Error("no bound transceiver session to send a reply on"));
      return new Promise<number>((resolve, reject) => {
        const lost = () => reject(new Error("the session closed before the reply was answered"));
        waitingOn(session).add(lost);
        session.deliver_sm(
          {
            ...address("source_addr", from),
            ...address("dest_addr", to),
            esm_class: 0,
            short_message: text,
          },
          (resp) => {
            waitingOn(session).delete(lost);
            resolve(resp.command_status);
          },
        );
      });
    },
    async receiptsAnswered() {
      while (unanswered.size > 0) await Promise.all([...unanswered]);
    },
    close: async () => {
      for (const s of smsc.sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = smpp.createServer({}, (session) => {
    smsc.sessions.push(session);
    idOf.set(session, ++sessionIds);
    session.on("error", () => {
      // a client that went away (a killed worker): its parts are already recorded
    });
    waiting.set(session, new Set());
    session.on("close", () => {
      transceivers.delete(session);
      for (const settle of waitingOn(session)) settle();
      waiting.delete(session);
    });
    for (const command of ["bind_transceiver", "bind_transmitter"]) {
      session.on(command, (pdu: PDU) => {
        smsc.binds.push(pdu);
        session.send(pdu.response(smsc.bindStatus ? { command_status: smsc.bindStatus } : {}));
        if (!smsc.bindStatus && command === "bind_transceiver") transceivers.add(session);
      });
    }
    session.on("enquire_link", (pdu: PDU) => session.send(pdu.response()));
    session.on("unbind", (pdu: PDU) => {
      transceivers.delete(session);
      session.send(pdu.response());
      session.close();
    });
    session.on("submit_sm", (pdu: PDU) => {
      const short = pdu.short_message as { udh?: Buffer[]; message?: string | Buffer } | undefined;
      const concat =
        (Number(pdu.esm_class) & ESM_UDHI) !== 0 ? short?.udh?.find((h) => h[0] === 0x00) : undefined;
      const message = short?.message;
      const part: SmscPart = {
        to: e164(pdu.destination_addr, pdu.dest_addr_ton),
        from: e164(pdu.source_addr, pdu.source_addr_ton),
        text: typeof message === "string" ? message : (message?.toString("latin1") ?? ""),
        dataCoding: Number(pdu.data_coding),
        ref: concat ? concat[2]! : null,
        total: concat ? concat[3]! : 1,
        seq: concat ? concat[4]! : 1,
        messageId: null,
        sessionId: idOf.get(session)!,
      };
      smsc.submits.push(pdu);
      smsc.parts.push(part);
      partOf.set(pdu, part);
      const answer = smsc.answer(pdu, smsc.submits.length);
      if (answer === "hold") smsc.held.push({ session, pdu });
      else smsc.respond(session, pdu, answer === "ok" ? 0 : answer.status);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  smsc.port = (server.address() as AddressInfo).port;
  return smsc;
}
