// A counting SMTP server for the send benchmark, as its own process so its work does not cost the sender's CPU.
// `node bench/smtp-count-sink.ts`: prints {"port": N} first, then {"count": N, "firstMs", "lastMs"} (Date.now() of
// the first and last message accepted; cpuMs, the sink's own CPU time) on SIGTERM or when stdin closes.
// A slow server on demand: SINK_DELAY_PERCENT of the data replies come SINK_DELAY_MS late, and SINK_STALL_PERCENT of
// the connections stop answering at their first message's data for SINK_STALL_MS (chosen at random, per reply and
// per connection).
import { SMTPServer } from "smtp-server";

let count = 0;
let firstMs: number | null = null;
let lastMs: number | null = null;
const delayPercent = Number(process.env.SINK_DELAY_PERCENT ?? 0);
const delayMs = Number(process.env.SINK_DELAY_MS ?? 25_000);
const stallPercent = Number(process.env.SINK_STALL_PERCENT ?? 0);
const stallMs = Number(process.env.SINK_STALL_MS ?? 90_000);
const stalled = new Set<string>();

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  size: 50 * 1024 * 1024,
  logger: false,
  closeTimeout: 100,
  onConnect(session, callback) {
    if (Math.random() * 100 < stallPercent) stalled.add(session.id);
    callback();
  },
  onData(stream, session, callback) {
    stream.on("end", () => {
      const wait = stalled.has(session.id) ? stallMs : Math.random() * 100 < delayPercent ? delayMs : 0;
      stalled.delete(session.id);
      const answer = () => {
        count++;
        lastMs = Date.now();
        firstMs ??= lastMs;
        callback(null, "2.0.0 Counted");
      };
      if (wait > 0) setTimeout(answer, wait);
      else answer();
    });
    stream.resume();
  },
});

server.on("error", () => {
  // a sender that went away mid-session; the count is what matters here
});
server.listen(0, "127.0.0.1", () => {
  const address = server.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  process.stdout.write(`${JSON.stringify({ count, firstMs, lastMs, cpuMs: cpuMs() })}\n`, () =>
    process.exit(0),
  );
}

process.on("SIGTERM", finish);
process.on("SIGINT", finish);
process.stdin.on("end", finish);
process.stdin.on("close", finish);
process.stdin.resume();
