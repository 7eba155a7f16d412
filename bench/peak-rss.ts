// The peak RSS of this process. resourceUsage().maxRSS is not it in a child process on Linux: a forked child starts
// with its parent's resident pages counted, and exec keeps that high-water mark, so a case spawned by a bench that
// had grown to 380 MB reported 380 MB however little it used itself. /proc/self/status's VmHWM belongs to the
// process's own memory map, which exec replaces.
import { readFileSync } from "node:fs";

/** Peak resident memory of this process in MB: VmHWM where Linux has it, else what Node reports. */
export function peakRssMb(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux: no /proc
  }
  return process.resourceUsage().maxRSS / 1024;
}
