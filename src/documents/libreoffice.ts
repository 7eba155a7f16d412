// DOCX to PDF through LibreOffice (`soffice --headless`), when it is installed: one process per conversion, each with
// a private profile (two conversions at once would otherwise fight over the shared one), killed whole on a timeout.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AppError } from "../shared/errors.ts";

/** The soffice binary when installed (PATH lookup of soffice / libreoffice), else null. */
export async function findLibreOffice(): Promise<string | null> {
  for (const name of ["soffice", "libreoffice"]) {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
      if (!dir) continue;
      const path = join(dir, name);
      try {
        await access(path, constants.X_OK);
        return path;
      } catch {
        // not in this directory
      }
    }
  }
  return null;
}

function failed(message: string, details: Record<string, unknown>): AppError {
  return new AppError("DOCUMENT_CONVERSION_FAILED", message, details);
}

export type ConvertOptions = {
  timeoutMs?: number;
  outDir?: string;
  soffice?: string;
  /** Bookmarks become PDF named destinations (how pdf-pages.ts finds where each letter starts). */
  namedDestinations?: boolean;
};

// Blank pages a section break asks for (a section that starts on an odd page) are printed, as Word prints them; the
// export drops them by default. JSON filter options need LibreOffice 7.4.
function exportFilter(options: ConvertOptions): string {
  const flag = (value: boolean) => ({ type: "boolean", value: String(value) });
  return `pdf:writer_pdf_Export:${JSON.stringify({
    IsSkipEmptyPages: flag(false),
    ...(options.namedDestinations ? { ExportBookmarksToPDFDestination: flag(true) } : {}),
  })}`;
}

/** Converts a DOCX to PDF beside it (or in `outDir`) and resolves the PDF's path. */
export async function convertToPdf(docxPath: string, options: ConvertOptions = {}): Promise<string> {
  const soffice = options.soffice ?? (await findLibreOffice());
  if (!soffice) throw failed("LibreOffice (soffice) is not installed", { cause: "not-installed" });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const source = resolve(docxPath);
  const outDir = resolve(options.outDir ?? dirname(source));
  const pdfPath = join(outDir, `${basename(source, extname(source))}.pdf`);
  const profile = await mkdtemp(join(tmpdir(), "utsend-soffice-"));
  const args = [
    "--headless",
    "--norestore",
    "--nologo",
    "--nolockcheck",
    `-env:UserInstallation=${pathToFileURL(profile).href}`,
    "--convert-to",
    exportFilter(options),
    "--outdir",
    outDir,
    source,
  ];
  try {
    await rm(pdfPath, { force: true });
    const outcome = await new Promise<{
      code: number | null;
      signal: string | null;
      timedOut: boolean;
      output: string;
    }>((settle, reject) => {
      // Its own process group, so a timeout kills soffice.bin and whatever it started, not just the wrapper script.
      const child = spawn(soffice, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      const keep = (chunk: Buffer) => {
        if (output.length < 8_000) output += chunk.toString("utf8");
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, timeoutMs);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(failed(`LibreOffice could not be started: ${error.message}`, { cause: "spawn", soffice }));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        settle({ code, signal, timedOut, output: output.trim() });
      });
    });
    if (outcome.timedOut)
      throw failed(`LibreOffice did not convert ${basename(source)} within ${timeoutMs} ms`, {
        cause: "timeout",
        timeoutMs,
      });
    if (outcome.code !== 0)
      throw failed(
        `LibreOffice failed to convert ${basename(source)} (exit ${outcome.code ?? outcome.signal})`,
        {
          cause: "exit",
          exitCode: outcome.code,
          signal: outcome.signal,
          output: outcome.output,
        },
      );
    // soffice exits 0 when it cannot load the file too; only a PDF on disk counts.
    const written = await stat(pdfPath).catch(() => null);
    if (!written || written.size === 0)
      throw failed(`LibreOffice wrote no PDF for ${basename(source)}`, {
        cause: "no-output",
        output: outcome.output,
      });
    return pdfPath;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
