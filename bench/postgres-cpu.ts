// PostgreSQL's own CPU, for the benches that run against a local server: utime + stime of the processes named
// `postgres` (the postmaster, its helpers and every backend), from /proc.
import { readdirSync, readFileSync } from "node:fs";

/** CPU milliseconds used so far by each PostgreSQL process of this machine, by pid. */
export function postgresCpuByProcess(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm !== "postgres") continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // USER_HZ is 100 on Linux.
      byPid.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
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
 * CPU milliseconds used so far by this machine's PostgreSQL processes (from /proc; the bench's server is local).
 * A backend that exits during a run takes its time with it; the pool's connections live until the run is measured.
 */
export function postgresCpuMs(): number {
  let ms = 0;
  for (const value of postgresCpuByProcess().values()) ms += value;
  return ms;
}
