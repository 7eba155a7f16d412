// An SMPP server for the SMS benchmark, as its own process so acknowledging costs the sender no CPU.
// `node bench/smpp-sink.ts`: prints {"port": N} first, then {"count": N, "perSecond": [[unix second, n]…],
// "sessions": [n…]} (submit_sm seen, in all, per wall-clock second and per session) on SIGTERM or when stdin closes.
import smpp, { type PDU } from "smpp";

let count = 0;
const perSecond = new Map<number, number>();
const sessions: number[] = [];

const server = smpp.createServer({}, (session) => {
  // Measured: with Nagle on here, each batch's last responses wait for the client's delayed ACK (≈ 40 ms a batch of
  // 200, transport at 0.22 of the ceiling instead of 0.59). BENCH_SMS_SINK_NAGLE=1 measures an SMSC that keeps it.
  if (!process.env.BENCH_SMS_SINK_NAGLE) session.socket.setNoDelay(true);
  session.on("error", () => {
    // a client that went away; the count is what matters here
  });
  for (const command of ["bind_transceiver", "bind_transmitter", "enquire_link"]) {
    session.on(command, (pdu: PDU) => session.send(pdu.response()));
  }
  session.on("unbind", (pdu: PDU) => {
    session.send(pdu.response());
    session.close();
  });
  const index = sessions.push(0) - 1;
  session.on("submit_sm", (pdu: PDU) => {
    count++;
    sessions[index]!++;
    const second = Math.floor(Date.now() / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    session.send(pdu.response({ message_id: count.toString(16) }));
  });
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  process.stdout.write(`${JSON.stringify({ count, perSecond: [...perSecond], sessions })}\n`, () =>
    process.exit(0),
  );
}

process.on("SIGTERM", finish);
process.on("SIGINT", finish);
process.stdin.on("end", finish);
process.stdin.on("close", finish);
process.stdin.resume();
