// Classifies message files for `utsend bounces classify`; a file that cannot be read is reported, not fatal.
import { readFile, stat } from "node:fs/promises";
import { classifyMessage, MAX_MESSAGE_BYTES } from "./classify.ts";
import type { Classification } from "./types.ts";

export type FileClassification = { file: string } & Classification;

/**
 * One result per path, in order. Read errors, and files over MAX_MESSAGE_BYTES (this is the caller that
 * enforces the limit), become kind "unknown" with the error message as the reason.
 */
export async function classifyFiles(paths: string[]): Promise<FileClassification[]> {
  const results: FileClassification[] = [];
  // One file at a time: the inputs are whole mail files and the command runs beside the server on two cores.
  for (const file of paths) {
    try {
      const { size } = await stat(file);
      if (size > MAX_MESSAGE_BYTES)
        throw new Error(`${size} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`);
      const bytes = await readFile(file);
      results.push({ file, ...(await classifyMessage(new Uint8Array(bytes))) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      results.push({ file, kind: "unknown", recipients: [], status: null, reason, action: null });
    }
  }
  return results;
}
