// How far the imports running in this process have come, by an id the client chose when it sent the file, so a page
// can show "1 200 of 5 000 rows" while its upload request waits for the report. Held in memory: it describes work in
// this process only, and is gone when the import ends.
import type { ImportProgress } from "./import-persons.ts";

type Entry = { userId: number; progress: ImportProgress | null };

export type RunningImports = {
  /** Follows one import; the returned function takes its progress, `end` forgets it. */
  start(id: string, userId: number): { onProgress: (progress: ImportProgress) => void; end: () => void };
  /** The last progress of an import the same user started; null when unknown, ended, or someone else's. */
  progressOf(id: string, userId: number): { running: true; progress: ImportProgress | null } | null;
};

export function runningImports(): RunningImports {
  const entries = new Map<string, Entry>();
  return {
    start(id, userId) {
      const entry: Entry = { userId, progress: null };
      entries.set(id, entry);
      return {
        onProgress: (progress) => {
          entry.progress = { ...progress };
        },
        end: () => {
          if (entries.get(id) === entry) entries.delete(id);
        },
      };
    },
    progressOf(id, userId) {
      const entry = entries.get(id);
      return entry && entry.userId === userId ? { running: true, progress: entry.progress } : null;
    },
  };
}
