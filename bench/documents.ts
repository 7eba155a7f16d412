// `npm run bench -- documents [--count N]`: composed letters as one PDF, N one-page letters (default 10,000) with
// varying names and addresses, against a ceiling: pdfkit alone writing N pages of the same fonts, logo and amount of
// text, fixed. Each measured case runs in a process of its own, so its peak RSS (resourceUsage().maxRSS at its end)
// is its own; the composed letters are also measured at a tenth of N, to see whether memory stays flat.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import PDFDocument from "pdfkit";
import { parseLetterBody } from "../src/documents/letter-body.ts";
import { formatLetterDate } from "../src/documents/letter-date.ts";
import { createLetterWriter } from "../src/documents/letter-pdf.ts";
import { BODY, LETTERHEAD } from "./letter-sample.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CASE_FILE = fileURLToPath(new URL("./document-case.ts", import.meta.url));

/**
 * Writes `count` letters into `file` as one PDF and resolves when the file is complete. The benchmark names it by
 * module and export, since it runs in a child process: the full generation job (database, merge, renderer) can take
 * the composed letters' place without a change here.
 */
export type LetterProducer = (count: number, file: string) => Promise<void>;
/** `setup`, when named, is an export of the same module run in the child before the clock starts (a database to copy, say). */
export type ProducerRef = { module: string; name: string; setup?: string };

const FIRST = [
  "Bjørn",
  "Åse",
  "Kari",
  "Øystein",
  "Ærlend",
  "Nils",
  "Ingrid",
  "Håkon",
  "Siri",
  "Jürgen",
  "Zoë",
];
const LAST = ["Ærlig", "Nordmann", "Ødegård", "Håkonsen", "Berg", "Dahl", "Løvås", "Müller", "Strøm"];
const STREETS = ["Åsgårdstrandveien", "Storgata", "Kongens gate", "Øvre Slottsgate", "Bryggen", "Fjellveien"];
const PLACES = [
  "0155 Oslo",
  "5003 Bergen",
  "7010 Trondheim",
  "3179 Åsgårdstrand",
  "9008 Tromsø",
  "4006 Stavanger",
];
const COMPANIES = ["Ærlig Consulting AS", "Fjellheim Bygg AS", "Nordlys Design", "Havbris Sjømat AS"];

function recipient(i: number) {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const name = `${first} ${last}`;
  const street = `${STREETS[i % STREETS.length]} ${1 + (i % 97)}`;
  const place = PLACES[i % PLACES.length]!;
  // Every fifth letter goes to a company, for the attention of the person.
  const company = i % 5 === 0 ? COMPANIES[i % COMPANIES.length]! : null;
  return {
    firstName: first,
    addressLines: company ? [company, street, place] : [name, street, place],
    attention: company ? name : null,
  };
}

/** The composed letters: one writer, each letter's body parsed from its merged HTML as the generation job will. */
export const composeLetters: LetterProducer = async (count, file) => {
  const writer = createLetterWriter(createWriteStream(file), { letterhead: LETTERHEAD, language: "nb" });
  const date = formatLetterDate(new Date("2026-12-04T10:00:00Z"), "nb");
  for (let i = 0; i < count; i++) {
    const r = recipient(i);
    const { blocks, problems } = parseLetterBody(BODY(r.firstName));
    if (problems.length > 0) throw new Error(problems.join("; "));
    const { pageCount } = await writer.addLetter({
      addressLines: r.addressLines,
      attention: r.attention,
      date,
      ourRef: `VS-2026/${i + 1}`,
      heading: "Vårsalg på kurs hos Fjordlys",
      body: blocks,
      signature: {
        name: "Ola Selger",
        title: "Salgssjef",
        email: "ola@fjordlys.no",
        phone: "+47 900 00 000",
      },
    });
    if (pageCount !== 1)
      throw new Error(`letter ${i + 1} took ${pageCount} pages; the benchmark wants one each`);
  }
  await writer.finish();
};

/** The ceiling: pdfkit alone, the same fonts, logo and text on every page, wrapped by pdfkit, nothing computed. */
export const ceilingPages: LetterProducer = async (count, file) => {
  const mm = 72 / 25.4;
  const require = createRequire(import.meta.url);
  const doc = new PDFDocument({
    size: "A4",
    autoFirstPage: false,
    bufferPages: false,
    margins: { top: 0, left: 0, right: 0, bottom: 0 },
  });
  const fonts = { Regular: "DejaVuSans.ttf", Bold: "DejaVuSans-Bold.ttf", Italic: "DejaVuSans-Oblique.ttf" };
  for (const [name, ttf] of Object.entries(fonts))
    doc.registerFont(name, require.resolve(`dejavu-fonts-ttf/ttf/${ttf}`));
  const logo = (doc as unknown as { openImage(src: Buffer): unknown }).openImage(LETTERHEAD.logo!);
  const out = createWriteStream(file);
  doc.pipe(out);
  const body = parseLetterBody(BODY("Bjørn")).blocks;
  const paragraphs = body.flatMap((b) =>
    b.kind === "paragraph"
      ? [b.runs.map((r) => r.text).join("")]
      : b.kind === "list"
        ? b.items.map((item) => `• ${item.map((r) => r.text).join("")}`)
        : [],
  );
  const small = ["Storgata 1", "0155 Oslo", "Org.nr. 912 345 678", "Tlf. +47 22 33 44 55", "fjordlys.no"];
  const address = ["Bjørn Ærlig", "Åsgårdstrandveien 12", "3179 Åsgårdstrand"];
  const text = (font: string, size: number, value: string, x: number, y: number, width?: number) =>
    doc
      .font(font)
      .fontSize(size)
      .text(value, x, y, width ? { width } : { lineBreak: false });
  for (let i = 0; i < count; i++) {
    doc.addPage();
    doc.image(logo as Buffer, 25 * mm, 15 * mm, { width: 55 * mm });
    text("Bold", 11, "Fjordlys AS", 140 * mm, 15 * mm);
    for (const [n, line] of small.entries()) text("Regular", 8, line, 140 * mm, 21 * mm + n * 11);
    text("Regular", 7, "Fjordlys AS, Storgata 1, 0155 Oslo", 25 * mm, 49 * mm);
    for (const [n, line] of address.entries()) text("Regular", 10, line, 25 * mm, 54 * mm + n * 12);
    text("Regular", 10, "Vår ref.: VS-2026/1", 25 * mm, 98 * mm);
    text("Regular", 10, "4. desember 2026", 155 * mm, 98 * mm);
    text("Bold", 13, "Vårsalg på kurs hos Fjordlys", 25 * mm, 113 * mm);
    doc
      .font("Regular")
      .fontSize(10)
      .text(paragraphs.join("\n"), 25 * mm, 122 * mm, { width: 160 * mm, lineGap: 3 });
    const y = doc.y + 10;
    text("Regular", 10, "Med vennlig hilsen", 25 * mm, y);
    text("Bold", 10, "Ola Selger", 25 * mm, y + 14 + 14 * mm);
    for (const [n, line] of ["Salgssjef", "ola@fjordlys.no", "+47 900 00 000"].entries())
      text("Regular", 9, line, 25 * mm, y + 28 + 14 * mm + n * 12);
  }
  const done = new Promise<void>((resolve, reject) => out.on("finish", resolve).on("error", reject));
  doc.end();
  await done;
};

type CaseRun = { seconds: number; letters: number; bytes: number; peakRssMb: number; liveHeapMb: number };

/** One case in a child process of its own (bench/document-case.ts, which loads only the case's module). */
async function runCase(producer: ProducerRef, count: number): Promise<CaseRun> {
  const file = join(tmpdir(), `utsend-bench-letters-${process.pid}-${Date.now()}.pdf`);
  // BENCH_NODE_FLAGS (e.g. "--max-semi-space-size=8") tries the V8 settings a generation worker might run with.
  const flags = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...flags, "--expose-gc", CASE_FILE], {
    env: { ...process.env, BENCH_DOCUMENTS_CASE: JSON.stringify({ producer, count, file }) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    if (code !== 0) throw new Error(`the ${producer.name} process exited with ${code}`);
    const run = JSON.parse(output.trim().split("\n").at(-1)!) as Omit<CaseRun, "bytes">;
    return { ...run, bytes: (await stat(file)).size };
  } finally {
    await rm(file, { force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[]) =>
  `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}, ±${((50 * (Math.max(...values) - Math.min(...values))) / median(values)).toFixed(0)}%`;

export function countArgument(): number {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === "--count" || a.startsWith("--count="));
  const value = at < 0 ? undefined : args[at]!.includes("=") ? args[at]!.slice(8) : args[at + 1];
  return Number(value ?? process.env.BENCH_LETTERS ?? 10_000);
}

/**
 * Letters per second (median of BENCH_RUNS rounds) for each producer and the ceiling, their ratio, and peak RSS at a
 * tenth of the count and at the full count. Each producer names a module and export of type LetterProducer.
 */
export async function benchDocuments(
  producers: ProducerRef[] = [{ module: import.meta.url, name: "composeLetters" }],
): Promise<void> {
  const count = countArgument();
  const small = Math.max(1, Math.round(count / 10));
  const ceiling: ProducerRef = { module: import.meta.url, name: "ceilingPages" };
  console.log(
    `${count} one-page letters (A4, DejaVu Sans in four styles embedded, a PNG logo, ~1,100 characters of text) ` +
      `into one PDF in ${tmpdir()}; producers ${producers.map((p) => p.name).join(", ")}; ceiling: pdfkit alone, the ` +
      `same page fixed; each case in a child process${process.env.BENCH_NODE_FLAGS ? ` (node ${process.env.BENCH_NODE_FLAGS})` : ""}, ` +
      `${RUNS} rounds taking turns`,
  );
  const show = (r: CaseRun) =>
    `${(r.letters / r.seconds).toFixed(0)}/s (${r.seconds.toFixed(1)} s, ${(r.bytes / 1048576).toFixed(1)} MB file, ` +
    `peak RSS ${r.peakRssMb.toFixed(0)} MB, live heap ${r.liveHeapMb.toFixed(0)} MB)`;
  const ceilingRuns: CaseRun[] = [];
  const runs = producers.map(() => ({ letters: [] as CaseRun[], small: [] as CaseRun[] }));
  for (let i = 0; i < RUNS; i++) {
    ceilingRuns.push(await runCase(ceiling, count));
    const line = [`round ${i + 1}: ceiling ${show(ceilingRuns[i]!)}`];
    for (const [p, producer] of producers.entries()) {
      runs[p]!.small.push(await runCase(producer, small));
      runs[p]!.letters.push(await runCase(producer, count));
      line.push(
        `${producer.name}: ${small} letters ${show(runs[p]!.small[i]!)}, ${count} letters ${show(runs[p]!.letters[i]!)}`,
      );
    }
    console.log(line.join("; "));
  }
  const rate = (list: CaseRun[]) => list.map((r) => r.letters / r.seconds);
  const rss = (list: CaseRun[]) => median(list.map((r) => r.peakRssMb));
  const heap = (list: CaseRun[]) => median(list.map((r) => r.liveHeapMb));
  const ceilingRate = median(rate(ceilingRuns));
  console.log(
    `ceiling (pdfkit alone): median ${ceilingRate.toFixed(0)} pages/s (runs ${spread(rate(ceilingRuns))}); ` +
      `peak RSS (median) ${rss(ceilingRuns).toFixed(0)} MB`,
  );
  for (const [p, producer] of producers.entries()) {
    const { letters, small: smallRuns } = runs[p]!;
    const lettersRate = median(rate(letters));
    console.log(
      `${producer.name}: median ${lettersRate.toFixed(0)} letters/s (runs ${spread(rate(letters))}); ` +
        `/ ceiling ${(lettersRate / ceilingRate).toFixed(2)}; peak RSS (median) ${rss(smallRuns).toFixed(0)} MB at ` +
        `${small} letters, ${rss(letters).toFixed(0)} MB at ${count}; live heap at the end ${heap(smallRuns).toFixed(0)} ` +
        `MB and ${heap(letters).toFixed(0)} MB`,
    );
  }
}

/** `npm run bench -- documents`: the composed letters alone and the full generation job, against the one ceiling. */
export async function benchDocumentsAndGeneration(): Promise<void> {
  // In the parent only: the cases' processes load this file for composeLetters, and need not load the migrations.
  const { prepareGenerationDatabase, removeGenerationDatabases } = await import("./document-generation.ts");
  const counts = [Math.max(1, Math.round(countArgument() / 10)), countArgument()];
  for (const count of counts) await prepareGenerationDatabase(count);
  try {
    const generation = new URL("./document-generation.ts", import.meta.url).href;
    const inThread = new URL("./document-thread.ts", import.meta.url).href;
    await benchDocuments([
      { module: import.meta.url, name: "composeLetters" },
      { module: generation, name: "generateLetters", setup: "copyGenerationDatabase" },
      { module: inThread, name: "generateLettersInThread", setup: "startGeneratorThread" },
    ]);
  } finally {
    await removeGenerationDatabases(counts);
  }
  const docxLetters = Number(process.env.BENCH_DOCX_LETTERS ?? 500);
  console.log(
    `\n# Word template, for information: ${docxLetters} letters merged, then converted by LibreOffice`,
  );
  const { benchDocx } = await import("./documents-docx.ts");
  await benchDocx(docxLetters);
}
