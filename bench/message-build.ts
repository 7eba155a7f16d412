// `npm run bench -- message`: builds 20,000 messages of the send bench's shape (its mailing, merged for 1,000
// persons: about 5.8 KB of HTML plus the text made from it) one at a time on one thread, through MailComposer's
// stream pipeline and through the lean writer, each with and without DKIM; the four take turns within each run.
// Prints msgs/s and the process's CPU ms per message (DKIM's RSA step runs in libuv's pool and counts too),
// median of 5 runs, with the load average before and after.
import { loadavg } from "node:os";
import {
  buildMessage,
  buildMessageWithComposer,
  type OutgoingMessage,
} from "../src/send/channels/email/message.ts";
import { renderedBenchMessages } from "./send.ts";

const MESSAGES = Number(process.env.BENCH_BUILD_MESSAGES ?? 20_000);
const PERSONS = 1_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

type Variant = { name: string; build: (m: OutgoingMessage) => Promise<Buffer>; dkim: boolean };

const variants: Variant[] = [
  { name: "MailComposer, no DKIM", build: (m) => buildMessageWithComposer(m), dkim: false },
  { name: "lean, no DKIM", build: buildMessage, dkim: false },
  { name: "MailComposer + DKIM", build: (m) => buildMessageWithComposer(m), dkim: true },
  { name: "lean + DKIM", build: buildMessage, dkim: true },
];

async function run(variant: Variant, messages: OutgoingMessage[], count: number) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += (await variant.build(messages[i % messages.length]!)).length;
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: count / seconds, cpuMs: (used.user + used.system) / 1000 / count, size: bytes / count };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

export async function benchMessageBuild(): Promise<void> {
  const signed = await renderedBenchMessages(PERSONS);
  if (!signed[0]?.dkim) throw new Error("the bench mailing's messages carry no DKIM key");
  const unsigned = signed.map(({ dkim: _, ...m }) => m);
  const kb = (part: "html" | "text") =>
    (signed.reduce((a, m) => a + Buffer.byteLength(m[part]), 0) / signed.length / 1024).toFixed(1);
  console.log(
    `${MESSAGES} messages (${PERSONS} distinct; HTML ≈ ${kb("html")} KB, text ≈ ${kb("text")} KB), ${RUNS} runs, ` +
      `one thread; load ${load()}`,
  );
  for (const variant of variants) await run(variant, variant.dkim ? signed : unsigned, 1000);
  const results = new Map<string, Array<Awaited<ReturnType<typeof run>>>>();
  for (let i = 0; i < RUNS; i++) {
    for (const variant of variants) {
      const result = await run(variant, variant.dkim ? signed : unsigned, MESSAGES);
      results.set(variant.name, [...(results.get(variant.name) ?? []), result]);
      console.log(
        `run ${i + 1} ${variant.name}: ${result.perSecond.toFixed(0)} msg/s, ${result.cpuMs.toFixed(3)} CPU ms/msg`,
      );
    }
  }
  console.log(`medians (load ${load()}):`);
  for (const variant of variants) {
    const rs = results.get(variant.name)!;
    console.log(
      `  ${variant.name.padEnd(22)} ${median(rs.map((r) => r.perSecond)).toFixed(0)} msg/s, ` +
        `${median(rs.map((r) => r.cpuMs)).toFixed(3)} CPU ms/msg, message ${(rs[0]!.size / 1024).toFixed(1)} KB`,
    );
  }
  for (const dkim of [false, true]) {
    const [composer, lean] = variants.filter((v) => v.dkim === dkim).map((v) => results.get(v.name)!);
    const ratios = composer!.map((c, i) => lean![i]!.perSecond / c.perSecond);
    console.log(
      `  lean ÷ MailComposer ${dkim ? "with" : "without"} DKIM: ${median(ratios).toFixed(2)}× msg/s`,
    );
  }
}
