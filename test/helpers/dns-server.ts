// A small authoritative DNS server on 127.0.0.1 and a free UDP port, answering from a zone the test owns (and may
// change while it runs), for the sending-domain check. A silent variant never answers, to test timeouts.
import { createSocket, type Socket } from "node:dgram";
import dnsPacket, { type Answer } from "dns-packet";

export type ZoneEntry = {
  /** Each record's value; a value over 255 characters goes out as several strings, as DNS panels split it. */
  TXT?: string[];
  MX?: Array<{ exchange: string; preference?: number }>;
  A?: string[];
};
export type Zone = Record<string, ZoneEntry>;

export type DnsServer = {
  /** `127.0.0.1:port`, as UTSEND_DNS_SERVERS takes it. */
  address: string;
  /** The zone it answers from; change it and the next answer follows. */
  zone: Zone;
  /** Names asked, in order. */
  asked: string[];
  close(): Promise<void>;
};

const NXDOMAIN = 3;

function chunks(value: string): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(Buffer.from(value.slice(i, i + 255)));
  return out.length ? out : [Buffer.alloc(0)];
}

function answersFor(name: string, type: string, entry: ZoneEntry): Answer[] {
  const base = { name, ttl: 60, class: "IN" as const };
  switch (type) {
    case "TXT":
      return (entry.TXT ?? []).map((value) => ({ ...base, type: "TXT" as const, data: chunks(value) }));
    case "MX":
      return (entry.MX ?? []).map((mx) => ({
        ...base,
        type: "MX" as const,
        data: { exchange: mx.exchange, preference: mx.preference ?? 10 },
      }));
    case "A":
      return (entry.A ?? []).map((ip) => ({ ...base, type: "A" as const, data: ip }));
    default:
      return [];
  }
}

function listen(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve(socket.address().port));
  });
}

/** Closing twice is fine: a test may stop the server to see DNS fail, and afterAll closes it again. */
function closer(socket: Socket) {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= new Promise<void>((resolve) => socket.close(() => resolve()));
    return closed;
  };
}

export async function startDnsServer(zone: Zone): Promise<DnsServer> {
  const socket = createSocket("udp4");
  const asked: string[] = [];
  socket.on("message", (message, peer) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, "");
    asked.push(name);
    const entry = zone[name];
    const response = dnsPacket.encode({
      type: "response",
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (entry ? 0 : NXDOMAIN),
      questions: [question],
      answers: entry ? answersFor(question.name, question.type, entry) : [],
    });
    socket.send(response, peer.port, peer.address);
  });
  const port = await listen(socket);
  return { address: `127.0.0.1:${port}`, zone, asked, close: closer(socket) };
}

/** Takes queries and never answers: what a firewalled or dead resolver looks like. */
export async function startSilentDnsServer(): Promise<Pick<DnsServer, "address" | "close">> {
  const socket = createSocket("udp4");
  socket.on("message", () => {});
  const port = await listen(socket);
  return { address: `127.0.0.1:${port}`, close: closer(socket) };
}
