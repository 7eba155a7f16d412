// A small authoritative DNS server on 127.0.0.1 and a free UDP port, answering from a zone the test owns (and may
// change while it runs), for the sending-domain check. A silent variant never answers, to test timeouts.
import { createSocket, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";
import dnsPacket, { type Answer } from "dns-packet";

export type ZoneEntry = {
  /** Each record's value; a value over 255 characters goes out as several strings, as DNS panels split it. */
  TXT?: string[];
  MX?: Array<{ exchange: string; preference?: number }>;
  A?: string[];
  AAAA?: string[];
  /** Host names, at a reverse name such as `4.3.2.1.in-addr.arpa` (see `reverseName`). */
  PTR?: string[];
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
    case "AAAA":
      return (entry.AAAA ?? []).map((ip) => ({ ...base, type: "AAAA" as const, data: ip }));
    case "PTR":
      return (entry.PTR ?? []).map((host) => ({ ...base, type: "PTR" as const, data: host }));
    default:
      return [];
  }
}

/** The name a PTR record for `address` lives at: `1.2.0.192.in-addr.arpa`, or the nibbles under `ip6.arpa`. */
export function reverseName(address: string): string {
  if (isIPv4(address)) return `${address.split(".").reverse().join(".")}.in-addr.arpa`;
  // Expand "::" and each group to four hex digits, then one label per nibble, last first.
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const groups = (part: string) => (part ? part.split(":") : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const full = [
    ...groups(head),
    ...Array<string>(address.includes("::") ? missing : 0).fill("0"),
    ...groups(tail),
  ];
  const nibbles = full.map((g) => g.padStart(4, "0")).join("");
  return `${nibbles.split("").reverse().join(".")}.ip6.arpa`;
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
