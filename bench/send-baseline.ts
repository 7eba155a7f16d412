// The send benchmark's yardstick: the same raw messages through a plain nodemailer pool, with nothing else.
import { createTransport } from "nodemailer";

export async function runBaseline(options: {
  port: number;
  /** Already built and DKIM-signed. */
  messages: Buffer[];
  /** Sends in flight at once, and the pool's connection count. */
  concurrency: number;
}): Promise<{ sent: number; seconds: number }> {
  const transport = createTransport({
    pool: true,
    host: "127.0.0.1",
    port: options.port,
    secure: false,
    ignoreTLS: true,
    maxConnections: options.concurrency,
    maxMessages: Number.POSITIVE_INFINITY,
    logger: false,
  });
  let next = 0;
  let sent = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < options.messages.length) {
      const i = next++;
      const raw = options.messages[i]!;
      await transport.sendMail({
        envelope: { from: `b+${i}@bounce.example.no`, to: [`p${i}@example.no`] },
        raw,
      });
      sent++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    transport.close();
  }
  return { sent, seconds: (performance.now() - start) / 1000 };
}
