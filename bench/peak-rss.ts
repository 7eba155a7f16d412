// The peak RSS of this process. resourceUsage().maxRSS is not it in a child process on Linux: a forked child starts
// with its parent's resident pages counted, and exec keeps that high-water mark, so a case spawned by a bench that
// had grown to 380 MB reported 380 MB however little it used itself. /proc/self/status's VmHWM belongs to the
// process's own memory map, which exec replaces.
import { readFileSync } from "node:fs";

/** A memory figure of /proc/<pid>/status in kB (`VmRSS` now, `VmHWM` the peak); 0 where there is none (not Linux). */
export function statusKb(pid: number | "self", field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Peak resident memory of this process in MB: VmHWM where Linux has it, else what Node reports. */
export function peakRssMb(): number {
  const hwm = statusKb("self", "VmHWM");
  return hwm > 0 ? hwm / 1024 : process.resourceUsage().maxRSS / 1024;
}
