// PostgreSQL's own CPU, for the benches that run against a local server: utime + stime of the processes named
// `postgres` (the postmaster, its helpers and every backend), from /proc.
import { readdirSync, readFileSync } from "node:fs";
import { type Kysely, sql } from "kysely";

/** CPU milliseconds used so far by each PostgreSQL process of this machine, by pid. */
export function postgresCpuByProcess(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const p of processes()) if (p.comm === "postgres") byPid.set(p.pid, p.cpuMs);
  return byPid;
}

type ProcessCpu = { pid: number; comm: string; cpuMs: number; reapedChildrenMs: number };

/** Every process of this machine with its CPU time so far. */
function* processes(): Generator<ProcessCpu> {
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    const stat = processCpu(Number(name));
    if (stat) yield stat;
  }
}

/** A process's CPU time so far (from /proc/<pid>/stat; USER_HZ is 100 on Linux), or null once it has ended. */
function processCpu(pid: number): ProcessCpu | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      comm,
      cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
      reapedChildrenMs: (Number(fields[13]) + Number(fields[14])) * 10,
    };
  } catch {
    return null;
  }
}

/**
 * CPU milliseconds PostgreSQL used since `before`, leaving out the processes in `others` (another bench's
 * connections on a shared machine). A process that ended meanwhile takes its time with it (it is not subtracted).
 */
export function postgresCpuSince(before: Map<number, number>, others: Set<number> = new Set()): number {
  let ms = 0;
  for (const [pid, now] of postgresCpuByProcess())
    if (!others.has(pid)) ms += Math.max(0, now - (before.get(pid) ?? 0));
  return ms;
}

/**
 * CPU milliseconds used so far by this machine's PostgreSQL processes (from /proc; the bench's server is local),
 * with the time of backends that ended: the postmaster reaps them, and their time moves to its children's time
 * (a backend's own time alone made the figure go negative when another client's connections ended mid-run).
 */
export function postgresCpuMs(): number {
  return cpuMsOf((comm) => comm === "postgres", true);
}

/**
 * PostgreSQL's CPU for this bench's own connections only, which the server names by their application_name: other
 * clients of a shared server (tests running beside the bench) are left out. The backends are sampled while the run
 * goes, so one that ends keeps the time it had at its last sample.
 */
// biome-ignore lint/suspicious/noExplicitAny: any database of the app's; only pg_stat_activity is read.
export function ownBackendsCpu(db: Kysely<any>, applicationName: string) {
  const last = new Map<number, number>();
  const atStart = new Map<number, number>();
  let started = false;
  let sampling = Promise.resolve();
  async function sample(): Promise<void> {
    const rows = await sql<{ pid: number }>`select pid from pg_stat_activity
        where application_name = ${applicationName}`.execute(db);
    for (const { pid } of rows.rows) {
      const value = cpuMsOfPid(pid);
      if (value === null) continue;
      // A backend started during the run counts from its start.
      if (!atStart.has(pid)) atStart.set(pid, started ? 0 : value);
      last.set(pid, value);
    }
    started = true;
  }
  return {
    /** Takes a sample now (the first one is the zero point of every backend alive then). */
    sample(): Promise<void> {
      sampling = sampling.then(sample, sample);
      return sampling;
    },
    totalMs(): number {
      let sum = 0;
      for (const [pid, value] of last) sum += value - (atStart.get(pid) ?? 0);
      return sum;
    },
  };
}

export function cpuMsOfPid(pid: number): number | null {
  return processCpu(pid)?.cpuMs ?? null;
}

/** CPU milliseconds of the processes whose name or pid matches (from /proc), optionally with their reaped children's. */
export function cpuMsOf(matches: (comm: string, pid: number) => boolean, withReaped = false): number {
  let ms = 0;
  for (const p of processes())
    if (matches(p.comm, p.pid)) ms += p.cpuMs + (withReaped ? p.reapedChildrenMs : 0);
  return ms;
}
