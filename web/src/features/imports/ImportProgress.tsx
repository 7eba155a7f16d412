// How far a running import has come, for the person import page and a mailing's recipient-file import alike: the
// client chooses an id, sends it with the file, and asks GET /api/imports/progress/{id} twice a second while its
// upload waits for the report.
import { Progress, Stack, Text, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../../api/context.tsx";
import { type Translate, useI18n } from "../../i18n/i18n.tsx";

export type ImportProgress = {
  phase: "checking" | "writing";
  rows: number;
  totalRows: number | null;
  bytes: number;
  totalBytes: number;
};

/** A fresh id to follow one import by. getRandomValues, not randomUUID: the latter exists only on https or localhost. */
export function newProgressId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

export function useElapsed(running: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    setSeconds(0);
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, [running]);
  return seconds;
}

/** The running import's progress, asked for twice a second while its upload waits for the report. */
export function useImportProgress(progressId: string | null): ImportProgress | null {
  const api = useApi();
  const query = useQuery({
    queryKey: ["imports", "progress", progressId],
    queryFn: () =>
      api.get<{ running: true; progress: ImportProgress | null }>(`/api/imports/progress/${progressId}`),
    enabled: progressId !== null,
    refetchInterval: 500,
    // Gone (404) once the import has ended: the report is on its way.
    retry: false,
  });
  return progressId !== null ? (query.data?.progress ?? null) : null;
}

function progressPercent(progress: ImportProgress | null): number | null {
  if (!progress) return null;
  if (progress.phase === "writing" && progress.totalRows) return (100 * progress.rows) / progress.totalRows;
  return progress.totalBytes > 0 ? (100 * progress.bytes) / progress.totalBytes : null;
}

/**
 * "1 200 av 5 000 rader importert": the total from this pass, else from the check the user just ran, else the file's
 * share read.
 */
function progressText(
  t: Translate,
  formatNumber: (n: number) => string,
  progress: ImportProgress,
  checkedRows: number | null,
): string {
  const done = formatNumber(progress.rows);
  const total = progress.totalRows ?? checkedRows;
  if (total !== null)
    return t(
      progress.phase === "writing" ? "imports.progressCounts.writtenOf" : "imports.progressCounts.checkedOf",
      {
        done,
        count: total,
      },
    );
  const read = t(
    progress.phase === "writing" ? "imports.progressCounts.written" : "imports.progressCounts.checked",
    { count: progress.rows },
  );
  const percent = progressPercent(progress);
  return percent === null
    ? read
    : `${read} · ${t("imports.progressCounts.ofFile", { percent: formatNumber(Math.floor(percent)) })}`;
}

/** The bar, the seconds, and the counts once the server has any. */
export function ImportProgressView({
  running,
  elapsed,
  progress,
  checkedRows,
}: {
  running: "checking" | "importing";
  elapsed: number;
  progress: ImportProgress | null;
  /** The rows of the dry run just made on the same file and settings, when there is one: the total to count toward. */
  checkedRows: number | null;
}) {
  const { t, formatNumber } = useI18n();
  const percent = progressPercent(progress);
  return (
    <Stack gap={4} data-testid="import-progress">
      <Progress
        value={percent ?? 100}
        animated={percent === null}
        striped
        aria-label={t("imports.progressLabel")}
      />
      {/* The seconds tick every second: announced once, without them, then left alone. */}
      <VisuallyHidden role="status">
        {t(running === "checking" ? "imports.checkingNow" : "imports.importingNow")}
      </VisuallyHidden>
      <Text size="sm" c="dimmed" aria-hidden="true">
        {t(running === "checking" ? "imports.checking" : "imports.importing", { seconds: elapsed })}
      </Text>
      {progress && (
        <Text size="sm" data-testid="import-progress-counts">
          {progressText(t, formatNumber, progress, checkedRows)}
        </Text>
      )}
    </Stack>
  );
}
