// For the browser tests of an import's progress: the upload is held until the page has shown the progress the test
// gives it, so what the page asks for and shows is checked without racing a real import's counts.
import type { Page } from "playwright-core";

const PROGRESS_URL = "**/api/imports/progress/*";

export type HeldUpload = {
  /** The progressId the page sent with its upload; null until the upload was made. */
  progressId(): string | null;
  /** Lets the held upload through to the server. */
  release(): void;
  /** Releases the upload and removes both routes. */
  stop(): Promise<void>;
};

export async function holdUploadShowingProgress(
  page: Page,
  uploadUrl: string,
  progress: Record<string, unknown>,
): Promise<HeldUpload> {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let progressId: string | null = null;
  await page.route(uploadUrl, async (route) => {
    progressId = new URL(route.request().url()).searchParams.get("progressId");
    await held;
    await route.continue();
  });
  await page.route(PROGRESS_URL, (route) =>
    route.fulfill({ contentType: "application/json", body: JSON.stringify({ running: true, progress }) }),
  );
  return {
    progressId: () => progressId,
    release: () => release(),
    async stop() {
      release();
      await page.unroute(uploadUrl);
      await page.unroute(PROGRESS_URL);
    },
  };
}
