// `node bench/documents-docx.ts [--count N]`: N letters (default 500) from the starter Word template, merged into one
// DOCX and converted to PDF by LibreOffice; time and peak memory of each stage (ours: the process's peak RSS; soffice:
// the largest RSS seen while polling its processes).
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { mergeTemplate, starterTemplate } from "../src/documents/docx-template.ts";
import { convertToPdf, findLibreOffice } from "../src/documents/libreoffice.ts";
import type { MergeContext } from "../src/mailings/merge-fields.ts";
import { peakRssMb } from "./peak-rss.ts";

const run = promisify(execFile);
const FIRST = ["Åse", "Bjørn", "Kari", "Øystein", "Ærlend", "Ingrid", "Håkon", "Siri"];
const LAST = ["Ærlig", "Øvre", "Nordmann", "Haugen", "Berg", "Dahl"];

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  const arg = args[at] ?? "";
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[at + 1];
}

async function* recipients(count: number): AsyncGenerator<MergeContext> {
  for (let i = 0; i < count; i++) {
    const firstname = FIRST[i % FIRST.length] ?? "Ola";
    const lastname = LAST[i % LAST.length] ?? "Nordmann";
    const withCompany = i % 3 === 0;
    yield {
      customer: {
        id: String(i + 1),
        name: `${firstname} ${lastname}`,
        firstname,
        middlename: null,
        lastname,
        bestName: firstname,
        salutation: `${firstname} ${lastname}`,
        title: null,
        mrmrs: null,
        email: null,
        cellphone: null,
        phone: null,
        language: "nb",
      },
      company: withCompany
        ? {
            id: String(i),
            name: `${lastname} & Sønn AS`,
            department: null,
            address: `Storgata ${i % 90}\n0155 Oslo`,
            domain: null,
            phone: null,
            ourContact: null,
          }
        : null,
      ourContact: { name: "Kari Selger", email: null, phone: null },
      mailing: { name: "Julebrev", subject: null },
      link: { unsubscribe: null, subscriptions: null, viewOnline: null },
      document: {
        address: `Kunde ${i}\nStorgata ${i % 90}\n0155 OSLO`,
        heading: "Invitasjon til julebord",
        attention: null,
        ourRef: `KS/${i}`,
        date: "4. desember 2026",
      },
    };
  }
}

/** The largest resident set of the processes naming `path`, polled until `done` settles. */
async function peakRssOf(path: string, done: Promise<unknown>): Promise<number> {
  let peak = 0;
  let finished = false;
  done.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  while (!finished) {
    const { stdout } = await run("ps", ["-eo", "rss=,args="]);
    const total = stdout
      .split("\n")
      .filter((line) => line.includes(path))
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0] ?? 0), 0);
    peak = Math.max(peak, total);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return peak * 1024;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `count` given: from `npm run bench -- documents`, whose `--count` is the composed letters', not this one's. */
export async function benchDocx(
  count = Number(option("count") ?? process.env.BENCH_DOCX_LETTERS ?? 500),
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "utsend-bench-docx-"));
  try {
    const template = await starterTemplate("nb");
    const docxPath = join(dir, "letters.docx");
    const rssBefore = process.memoryUsage().rss;
    let started = performance.now();
    const { letters } = await mergeTemplate(template, recipients(count), docxPath);
    const mergeMs = performance.now() - started;
    const peakRss = peakRssMb() * 1048576;
    console.log(
      `merge: ${letters} letters in ${mergeMs.toFixed(0)} ms (${((mergeMs / letters) * 1000).toFixed(0)} µs a letter), ` +
        `DOCX ${mb((await stat(docxPath)).size)}, node RSS ${mb(rssBefore)} before, peak ${mb(peakRss)}`,
    );
    if (!(await findLibreOffice())) {
      console.log("convert: skipped, LibreOffice (soffice) is not installed");
      return;
    }
    started = performance.now();
    const converting = convertToPdf(docxPath, { timeoutMs: 600_000 });
    const sofficePeak = await peakRssOf(docxPath, converting);
    const pdfPath = await converting;
    const convertMs = performance.now() - started;
    const { stdout } = await run("pdfinfo", [pdfPath]);
    const pages = /^Pages:\s+(\d+)/m.exec(stdout)?.[1];
    console.log(
      `convert: ${pages} pages in ${(convertMs / 1000).toFixed(1)} s (${(convertMs / letters).toFixed(0)} ms a letter), ` +
        `PDF ${mb((await stat(pdfPath)).size)}, soffice peak RSS ${mb(sofficePeak)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchDocx();
