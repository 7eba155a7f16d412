import { execFile } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context, docx, paragraph } from "../../test/helpers/docx.ts";
import { partAvailable } from "../../test/helpers/requirements.ts";
import { AppError } from "../shared/errors.ts";
import { mergeTemplate, starterTemplate } from "./docx-template.ts";
import { convertToPdf, findLibreOffice } from "./libreoffice.ts";

const run = promisify(execFile);
const soffice = await findLibreOffice();
const hasLibreOffice = partAvailable(
  "LibreOffice",
  soffice !== null,
  "`soffice` is not on PATH (apt-get install libreoffice-writer-nogui)",
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "utsend-lo-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** The private LibreOffice profiles in the temporary directory. */
async function profiles(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith("utsend-soffice-"));
}

/** Processes whose command line names `path`: what a conversion of that file left running. */
async function processesNaming(path: string): Promise<string[]> {
  const { stdout } = await run("ps", ["-eo", "pid=,args="]);
  return stdout.split("\n").filter((line) => line.includes(path) && !line.includes(" ps "));
}

describe("converting with LibreOffice", () => {
  it("says where soffice is, or null", () => {
    if (soffice !== null) expect(soffice).toMatch(/(soffice|libreoffice)$/);
    else expect(soffice).toBeNull();
  });

  it("rejects with DOCUMENT_CONVERSION_FAILED when soffice cannot be started", async () => {
    const docxPath = join(dir, "none.docx");
    await writeFile(docxPath, docx(paragraph("x")));
    const error = await rejection(convertToPdf(docxPath, { soffice: join(dir, "no-such-soffice") }));
    expect(error.code).toBe("DOCUMENT_CONVERSION_FAILED");
    expect(error.details).toMatchObject({ cause: "spawn" });
  });

  it("runs soffice headless with a profile of its own, made for the conversion and removed after it", async () => {
    // A stand-in for soffice that notes its arguments and whether the profile they name exists while it runs, then
    // writes a PDF where it was asked to, as soffice does.
    const fake = join(dir, "fake-soffice");
    const seen = join(dir, "fake-soffice-args");
    await writeFile(
      fake,
      [
        "#!/bin/sh",
        `printf '%s\\n' "$@" > '${seen}'`,
        `profile=$(printf '%s\\n' "$@" | sed -n 's|^-env:UserInstallation=file://||p')`,
        `if [ -d "$profile" ]; then echo "profile there" >> '${seen}'; fi`,
        'prev=""; for arg in "$@"; do [ "$prev" = "--outdir" ] && out="$arg"; prev="$arg"; last="$arg"; done',
        'mkdir -p "$out" && printf "%%PDF-1.4 fake" > "$out/$(basename "$last" .docx).pdf"',
        "",
      ].join("\n"),
    );
    await chmod(fake, 0o755);
    const docxPath = join(dir, "args.docx");
    await writeFile(docxPath, docx(paragraph("x")));
    const before = await profiles();
    const pdfPath = await convertToPdf(docxPath, { soffice: fake, outDir: join(dir, "args-out") });
    expect(pdfPath).toBe(join(dir, "args-out", "args.pdf"));
    const lines = (await readFile(seen, "utf8")).trim().split("\n");
    expect(lines).toContain("--headless");
    expect(lines.slice(lines.indexOf("--convert-to") + 1)[0]).toMatch(/^pdf:writer_pdf_Export:/);
    const profile = lines.find((line) => line.startsWith("-env:UserInstallation="));
    expect(profile).toMatch(
      new RegExp(`^-env:UserInstallation=${pathToFileURL(tmpdir()).href}/utsend-soffice-`),
    );
    expect(lines.at(-1)).toBe("profile there");
    // Gone once the conversion is over.
    expect((await profiles()).filter((name) => !before.includes(name))).toEqual([]);
  });

  it.runIf(hasLibreOffice)(
    "turns a merged DOCX into a PDF with a page per letter and each recipient's name",
    { timeout: 180_000 },
    async () => {
      const docxPath = join(dir, "letters.docx");
      const template = docx(
        [
          paragraph("Til: [[customer.name]]"),
          paragraph('Hei [[customer.firstname | default: "kunde"]],'),
        ].join(""),
      );
      const recipients = [context("Bjørn", "Ærlig"), context("Åse", "Øvre"), context("Per", "<&> Hansen")];
      await mergeTemplate(template, recipients, docxPath);
      const before = await profiles();
      const pdfPath = await convertToPdf(docxPath, { outDir: join(dir, "out") });
      expect(pdfPath).toBe(join(dir, "out", "letters.pdf"));
      const { stdout: text } = await run("pdftotext", ["-layout", pdfPath, "-"]);
      const pages = text.split("\f").filter((page) => page.trim() !== "");
      expect(pages).toHaveLength(3);
      expect(pages[0]).toContain("Til: Bjørn Ærlig");
      expect(pages[1]).toContain("Til: Åse Øvre");
      expect(pages[2]).toContain("Til: Per <&> Hansen");
      const { stdout: info } = await run("pdfinfo", [pdfPath]);
      expect(info).toMatch(/^Pages:\s+3$/m);
      expect(await processesNaming(docxPath)).toEqual([]);
      expect((await profiles()).filter((name) => !before.includes(name))).toEqual([]);
    },
  );

  it.runIf(hasLibreOffice)(
    "keeps the address 5 mm inside the window (20 mm from the left, 45 mm from the top) on every letter, after LibreOffice saved the starter again",
    { timeout: 180_000 },
    async () => {
      // As a user would: open the starter in LibreOffice, save it as Word, upload it again.
      await writeFile(join(dir, "starter.docx"), await starterTemplate("nb"));
      const profile = pathToFileURL(join(dir, "profile")).href;
      await run(soffice ?? "soffice", [
        "--headless",
        `-env:UserInstallation=${profile}`,
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        join(dir, "saved"),
        join(dir, "starter.docx"),
      ]);
      const template = await readFile(join(dir, "saved", "starter.docx"));
      const docxPath = join(dir, "starter-letters.docx");
      const names = ["Bjørn", "Åse", "Øystein"];
      await mergeTemplate(
        template,
        names.map((name) => context(name, "Ærlig")),
        docxPath,
      );
      const pdfPath = await convertToPdf(docxPath);
      const { stdout } = await run("pdftotext", ["-bbox", pdfPath, "-"]);
      const pages = stdout.split("<page ").slice(1);
      expect(pages).toHaveLength(3);
      const mm = (pt: string | undefined) => (Number(pt) * 25.4) / 72;
      pages.forEach((page, i) => {
        const word = new RegExp(`<word xMin="([\\d.]+)" yMin="([\\d.]+)"[^>]*>${names[i]}</word>`).exec(page);
        // The window is 20 mm from the left and 45 mm from the top; the address keeps 5 mm inside it.
        expect(mm(word?.[1])).toBeCloseTo(25, 0);
        expect(mm(word?.[2])).toBeCloseTo(50, 0);
      });
    },
  );

  it.runIf(hasLibreOffice)(
    "rejects with DOCUMENT_CONVERSION_FAILED on a timeout and leaves no soffice process behind",
    { timeout: 60_000 },
    async () => {
      const docxPath = join(dir, "slow.docx");
      await writeFile(docxPath, docx(paragraph("[[customer.name]]")));
      const before = await profiles();
      const error = await rejection(convertToPdf(docxPath, { timeoutMs: 200 }));
      expect(error.code).toBe("DOCUMENT_CONVERSION_FAILED");
      expect(error.details).toEqual({ cause: "timeout", timeoutMs: 200 });
      expect(await processesNaming(docxPath)).toEqual([]);
      expect((await profiles()).filter((name) => !before.includes(name))).toEqual([]);
    },
  );
});
