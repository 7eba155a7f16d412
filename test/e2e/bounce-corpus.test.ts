// Scores the bounce classifier on the shared corpus of real returned mail (never copied into this repo).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyMessage } from "../../src/bounces/classify.ts";
import { partAvailable } from "../helpers/requirements.ts";

type Entry = { file: string; kind: string; recipients: string[] };

const repoRoot = path.resolve(import.meta.dirname, "../..");
const corpusDir = path.resolve(repoRoot, "../shared/corpus/bounces");
const manifestPath = path.join(corpusDir, "manifest.json");
const available = partAvailable(
  "the bounce corpus",
  existsSync(manifestPath),
  `${manifestPath} is missing (the corpus lives beside the repository, in shared/)`,
);

const REQUIRED_SHARE = 0.95;

function sameAddresses(expected: string[], got: string[]): boolean {
  const a = new Set(expected.map((r) => r.toLowerCase()));
  const b = new Set(got.map((r) => r.toLowerCase()));
  return a.size === b.size && [...a].every((r) => b.has(r));
}

describe.skipIf(!available)("bounce classifier on the shared corpus", () => {
  it("gets both the kind and the recipients right for at least 95% of the messages", async () => {
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Entry[];
    const misses: string[] = [];
    let correct = 0;
    for (const entry of manifest) {
      // Read as bytes and parsed as they are: mbox "From " lines, stray CRs and odd charsets included.
      const bytes = new Uint8Array(await readFile(path.join(corpusDir, entry.file)));
      const got = await classifyMessage(bytes);
      if (got.kind === entry.kind && sameAddresses(entry.recipients, got.recipients)) {
        correct++;
      } else {
        misses.push(
          `${entry.file}: expected ${entry.kind} ${JSON.stringify(entry.recipients)}, ` +
            `got ${got.kind} ${JSON.stringify(got.recipients)} (${got.reason ?? ""})`,
        );
      }
    }
    console.log(`bounce corpus: ${correct}/${manifest.length} correct in kind and recipients`);
    for (const miss of misses) console.log(`  miss ${miss}`);
    expect(manifest.length).toBeGreaterThan(0);
    expect(correct).toBeGreaterThanOrEqual(Math.ceil(REQUIRED_SHARE * manifest.length));
  });
});
