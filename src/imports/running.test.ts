import { describe, expect, it } from "vitest";
import { runningImports } from "./running.ts";

describe("running imports", () => {
  it("gives the last progress to the user who started the import, to nobody else, and forgets it when it ends", () => {
    const running = runningImports();
    const followed = running.start("abcdef0123456789", 7);
    expect(running.progressOf("abcdef0123456789", 7)).toEqual({ running: true, progress: null });
    followed.onProgress({ phase: "writing", rows: 1200, totalRows: 5000, bytes: 10, totalBytes: 40 });
    expect(running.progressOf("abcdef0123456789", 7)?.progress).toEqual({
      phase: "writing",
      rows: 1200,
      totalRows: 5000,
      bytes: 10,
      totalBytes: 40,
    });
    expect(running.progressOf("abcdef0123456789", 8)).toBeNull();
    followed.end();
    expect(running.progressOf("abcdef0123456789", 7)).toBeNull();
  });

  it("lets a second import under the same id take over without the first one's end forgetting it", () => {
    const running = runningImports();
    const first = running.start("same-id-000000", 1);
    const second = running.start("same-id-000000", 1);
    first.end();
    second.onProgress({ phase: "checking", rows: 3, totalRows: null, bytes: 1, totalBytes: 2 });
    expect(running.progressOf("same-id-000000", 1)?.progress?.rows).toBe(3);
  });
});
