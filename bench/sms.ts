// `npm run bench -- sms [--count N] [--db sqlite|postgres]`: N personalised SMS (default 100,000) to an SMPP sink in
// its own process, three ways: the whole pipeline (database, planner, send worker; sms-pipeline.ts), the SMPP
// transport alone in batches of 200 as the worker hands them over, and the ceiling: the bare `smpp` client submitting
// the same parts, pre-built, with the same window.
import smpp, { type PDU } from "smpp";
import { countSms, encodeGsm7, encodeUcs2, splitSms } from "../src/send/channels/sms/segments.ts";
import { createSmppTransport, sourceAddress } from "../src/send/channels/sms/smpp.ts";
import type { SmsMessage } from "../src/send/channels/sms/types.ts";
import { option, type PipelineRun, runSmsPipeline, startSink } from "./sms-pipeline.ts";

const countArgument = () => Number(option("count") ?? process.env.BENCH_SMS_MESSAGES ?? 100_000);

const WINDOW = Number(process.env.BENCH_SMS_WINDOW ?? 50);
const BATCH = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const FIRST_NAMES = ["Åse", "Ola", "Kari", "Øystein", "Ærlend", "Nils", "Ingrid", "Håkon", "Siri", "Bjørn"];
// A fifth of the recipients get a text that needs UCS-2 (a Polish name or an emoji).
const UCS2_NAMES = ["Łukasz", "Zofia 🎉"];

/** One recipient's text: short most of the time (one part), about 15% long enough for more than one part. */
function textFor(i: number): string {
  const long = i % 20 < 3;
  if (i % 5 === 0) {
    const name = UCS2_NAMES[i % 2]!;
    const text = `Hei ${name}! Vårsalg i dag, kode V${i % 1000}. Svar STOPP`;
    return long ? `${text}. Nye kurs i keramikk og tekstil hver tirsdag.` : text;
  }
  const name = FIRST_NAMES[i % FIRST_NAMES.length]!;
  const text = `Hei ${name}! Vårsalget hos Fjordlys starter i dag, kode V${i % 1000}. Svar STOPP for å melde deg av`;
  if (long)
    return `${text}. Vi har også nye kurs i keramikk, tre og tekstil hver tirsdag og torsdag fram til sommeren.`;
  return text;
}

function messages(n: number): SmsMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const text = textFor(i);
    const { encoding, parts } = countSms(text);
    return {
      mailingId: 1,
      deliveryId: i + 1,
      isTest: false,
      from: "Fjordlys",
      to: `+479${String(1_000_000 + i)}`,
      text,
      encoding,
      parts,
    };
  });
}

type Run = { seconds: number; messages: number; parts: number; peakRssMb: number };

async function runTransport(batch: SmsMessage[], parts: number): Promise<Run> {
  const sink = await startSink();
  const transport = createSmppTransport(
    {
      host: "127.0.0.1",
      port: sink.port,
      tls: false,
      systemId: "bench",
      password: "bench",
      bindMode: "transceiver",
      window: WINDOW,
    },
    { report: async () => {}, inbound: async () => {} },
  );
  let peak = process.memoryUsage().rss;
  let accepted = 0;
  const start = performance.now();
  for (let i = 0; i < batch.length; i += BATCH) {
    const outcomes = await transport.send(batch.slice(i, i + BATCH));
    for (const o of outcomes) if (o.kind === "accepted") accepted++;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - start) / 1000;
  await transport.close();
  const seen = (await sink.stop()).count;
  if (accepted !== batch.length || seen !== parts)
    throw new Error(`accepted ${accepted}/${batch.length}, sink saw ${seen}/${parts} parts`);
  return { seconds, messages: batch.length, parts, peakRssMb: peak / 1048576 };
}

/** The same parts as the transport sends, as PDUs built before the clock starts. */
function prebuilt(batch: SmsMessage[]): PDU[] {
  const pdus: PDU[] = [];
  batch.forEach((m, index) => {
    const { encoding, parts } = splitSms(m.text);
    parts.forEach((part, i) => {
      const body = encoding === "gsm7" ? encodeGsm7(part) : encodeUcs2(part);
      const udh = Buffer.from([5, 0, 3, index % 256, parts.length, i + 1]);
      pdus.push(
        new smpp.PDU("submit_sm", {
          ...sourceAddress(m.from),
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: m.to.slice(1),
          esm_class: parts.length > 1 ? 0x40 : 0,
          data_coding: encoding === "gsm7" ? 0 : 8,
          registered_delivery: 1,
          short_message: parts.length > 1 ? Buffer.concat([udh, body]) : body,
        }),
      );
    });
  });
  return pdus;
}

async function runCeiling(pdus: PDU[], messageCount: number): Promise<Run> {
  const sink = await startSink();
  const session = smpp.connect({ host: "127.0.0.1", port: sink.port });
  await new Promise<void>((resolve) =>
    session.on("connect", () =>
      session.bind_transceiver({ system_id: "bench", password: "bench", interface_version: 0x34 }, () =>
        resolve(),
      ),
    ),
  );
  let peak = process.memoryUsage().rss;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    let answered = 0;
    // The bare client writes what one turn of the event loop sends in one go (socket corked until the next
    // tick), as the transport does: the ceiling is the best this client can do, not one system call per PDU.
    let corked = false;
    const pump = () => {
      if (!corked) {
        corked = true;
        session.socket.cork();
        process.nextTick(() => {
          corked = false;
          session.socket.uncork();
        });
      }
      while (next < pdus.length && next - answered < WINDOW) {
        session.send(pdus[next++]!, () => {
          answered++;
          if (answered === pdus.length) resolve();
          else if (answered % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
          pump();
        });
      }
    };
    pump();
  });
  const seconds = (performance.now() - start) / 1000;
  await new Promise<void>((resolve) => session.unbind({}, () => resolve()));
  session.close();
  const seen = (await sink.stop()).count;
  if (seen !== pdus.length) throw new Error(`sink saw ${seen}/${pdus.length} parts`);
  return { seconds, messages: messageCount, parts: pdus.length, peakRssMb: peak / 1048576 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function line(name: string, runs: Array<Run | PipelineRun>): { msgs: number; parts: number } {
  const msgs = median(runs.map((r) => r.messages / r.seconds));
  const parts = median(runs.map((r) => r.parts / r.seconds));
  const rss = Math.max(...runs.map((r) => r.peakRssMb));
  console.log(
    `${name}: median ${msgs.toFixed(0)} msg/s, ${parts.toFixed(0)} parts/s over ${runs.length} runs; peak RSS ${rss.toFixed(0)} MB`,
  );
  return { msgs, parts };
}

export async function benchSms(): Promise<void> {
  const count = countArgument();
  const dbKind = option("db") ?? "sqlite";
  const batch = messages(count);
  const parts = batch.reduce((sum, m) => sum + m.parts, 0);
  const ucs2 = batch.filter((m) => m.encoding === "ucs2").length;
  const multipart = batch.filter((m) => m.parts > 1).length;
  console.log(
    `pipeline on ${dbKind}: ${count} recipients (plan, claim, merge, parts, rate tokens, SMPP, ledger), one send ` +
      `worker in a process of its own, window ${WINDOW}, account rate 1,000,000/s\n` +
      `transport only (no database, no worker loop) and ceiling: ${count} messages, ${parts} parts ` +
      `(${((100 * ucs2) / count).toFixed(0)}% UCS-2, ${((100 * multipart) / count).toFixed(0)}% multipart), ` +
      `window ${WINDOW}, batches of ${BATCH}\nsink in its own process on 127.0.0.1` +
      (process.env.BENCH_SMS_SINK_NAGLE ? " (with Nagle on)" : " (with TCP_NODELAY)") +
      `; the three take turns, round by round, so a busy moment on the machine weighs on each alike`,
  );
  const runs = { pipeline: [] as PipelineRun[], transport: [] as Run[], ceiling: [] as Run[] };
  for (let i = 0; i < RUNS; i++) {
    const pipeline = await runSmsPipeline(count, dbKind, WINDOW);
    const transport = await runTransport(batch, parts);
    const ceiling = await runCeiling(prebuilt(batch), count);
    runs.pipeline.push(pipeline);
    runs.transport.push(transport);
    runs.ceiling.push(ceiling);
    const rate = (r: Run | PipelineRun) =>
      `${(r.messages / r.seconds).toFixed(0)} msg/s ${(r.parts / r.seconds).toFixed(0)} parts/s`;
    console.log(
      `round ${i + 1}: pipeline ${rate(pipeline)} (${pipeline.parts} parts in ${pipeline.seconds.toFixed(1)} s; worker RSS ` +
        `after a tenth ${pipeline.rssAtTenthMb.toFixed(0)} MB, peak ${pipeline.peakRssMb.toFixed(0)} MB; live heap ` +
        `after a tenth ${pipeline.liveHeapMb[0].toFixed(0)} MB, at the end ${pipeline.liveHeapMb[1].toFixed(0)} MB); ` +
        `transport ${rate(transport)}; ceiling ${rate(ceiling)}`,
    );
  }
  const pipeline = line("pipeline", runs.pipeline);
  const transport = line("transport", runs.transport);
  const ceiling = line("ceiling (bare smpp client, pre-built PDUs)", runs.ceiling);
  console.log(
    `pipeline / ceiling: ${(pipeline.parts / ceiling.parts).toFixed(2)}, transport / ceiling: ${(transport.parts / ceiling.parts).toFixed(2)} (medians, parts/s)`,
  );
}
