// SpamAssassin as an outside scorer: `spamc -R` against the spamd the admin names, or `spamassassin -t -L` on this
// machine (local tests only: no DNS blocklists, no network). Both print the same "Content analysis details" table;
// `parseSpamReport` reads the score and every rule that fired from it. Outcomes are a union, never thrown.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export type SpamRule = { name: string; points: number; description: string };
export type SpamReport = { score: number; required: number; rules: SpamRule[] };
export type SpamScorer =
  | { kind: "spamd"; host: string; port: number; timeoutMs: number }
  | { kind: "local"; command: string; timeoutMs: number }
  | { kind: "none" };
export type SpamOutcome =
  | ({ kind: "scored"; scorer: "spamd" | "local" } & SpamReport)
  | { kind: "failed"; scorer: "spamd" | "local"; reason: string }
  | { kind: "unavailable" };

/** The scorer the configuration asks for: the named spamd, else `spamassassin` when it is on PATH, else none. */
export function spamScorer(
  config: { spamAssassin: "auto" | "off"; spamdAddress: string; spamCheckTimeoutMs: number },
  path = process.env.PATH ?? "",
): SpamScorer {
  if (config.spamAssassin === "off") return { kind: "none" };
  const timeoutMs = config.spamCheckTimeoutMs;
  const address = config.spamdAddress.trim();
  if (address) {
    const at = address.lastIndexOf(":");
    const host = address.slice(0, at).replace(/^\[|\]$/g, "");
    return { kind: "spamd", host, port: Number(address.slice(at + 1)), timeoutMs };
  }
  const command = onPath("spamassassin", path);
  return command ? { kind: "local", command, timeoutMs } : { kind: "none" };
}

function onPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

/** Scores the raw message; a timeout, a missing spamd or output without a report is `failed` with the reason. */
export async function scoreWithSpamAssassin(scorer: SpamScorer, raw: Buffer): Promise<SpamOutcome> {
  if (scorer.kind === "none") return { kind: "unavailable" };
  // -x: an unreachable spamd is an error, not the message passed through unscored; -t: spamc's own timeout.
  const [command, args] =
    scorer.kind === "spamd"
      ? [
          "spamc",
          [
            "-R",
            "-x",
            "-d",
            scorer.host,
            "-p",
            String(scorer.port),
            "-t",
            String(Math.ceil(scorer.timeoutMs / 1000)),
          ],
        ]
      : [scorer.command, ["-t", "-L"]];
  const run = await runWithInput(command, args, raw, scorer.timeoutMs);
  if (run.kind === "failed") return { kind: "failed", scorer: scorer.kind, reason: run.reason };
  const report = parseSpamReport(run.stdout);
  if (!report)
    return {
      kind: "failed",
      scorer: scorer.kind,
      reason: `${command} gave no report (exit ${run.code}): ${run.stderr.trim().slice(0, 300)}`,
    };
  return { kind: "scored", scorer: scorer.kind, ...report };
}

/** Reads the last "Content analysis details: (S points, R required)" table of a SpamAssassin report, heaviest rule first. */
export function parseSpamReport(output: string): SpamReport | null {
  const at = output.lastIndexOf("Content analysis details:");
  if (at < 0) return null;
  const lines = output.slice(at).split(/\r?\n/);
  const head = /\((-?[\d.]+) points, (-?[\d.]+) required\)/.exec(lines[0]!);
  if (!head) return null;
  const rules: SpamRule[] = [];
  let inTable = false;
  for (const line of lines.slice(1)) {
    if (!inTable) {
      inTable = /^-+ -+ -+/.test(line);
      continue;
    }
    if (!line.trim()) break;
    const row = /^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$/.exec(line);
    // `-0.0` is SpamAssassin's way to print a tiny negative score: zero here.
    if (row) rules.push({ name: row[2]!, points: Number(row[1]) || 0, description: row[3]!.trim() });
    // A long description (or the URI a blocklist rule names) continues on indented lines.
    else if (rules.length > 0) {
      const last = rules[rules.length - 1]!;
      last.description = `${last.description} ${line.trim()}`.trim();
    }
  }
  // SpamAssassin lists the rules in the order they ran, which differs from run to run: heaviest first here.
  rules.sort((a, b) => b.points - a.points || a.name.localeCompare(b.name));
  return { score: Number(head[1]), required: Number(head[2]), rules };
}

type Run =
  | { kind: "done"; code: number | null; stdout: string; stderr: string }
  | { kind: "failed"; reason: string };

function runWithInput(command: string, args: string[], input: Buffer, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const settle = (run: Run) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(run);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle({ kind: "failed", reason: `${command} gave no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (error) => settle({ kind: "failed", reason: `${command}: ${error.message}` }));
    child.on("close", (code) =>
      settle({
        kind: "done",
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    // A scorer that exits early closes its input: the write error is the exit, reported by "close".
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}
