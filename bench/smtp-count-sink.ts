// A counting SMTP server for the send benchmark, as its own process so its work does not cost the sender's CPU.
// `node bench/smtp-count-sink.ts`: prints {"port": N} first, then {"count": N} on SIGTERM or when stdin closes.
import { SMTPServer } from "smtp-server";

let count = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  size: 50 * 1024 * 1024,
  logger: false,
  closeTimeout: 100,
  onData(stream, _session, callback) {
    stream.on("end", () => {
      count++;
      callback(null, "2.0.0 Counted");
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

let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  process.stdout.write(`${JSON.stringify({ count })}\n`, () => process.exit(0));
}

process.on("SIGTERM", finish);
process.on("SIGINT", finish);
process.stdin.on("end", finish);
process.stdin.on("close", finish);
process.stdin.resume();
