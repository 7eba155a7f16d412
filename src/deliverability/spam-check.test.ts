import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import { keyringFromSecret } from "../deliveries/tokens.ts";
import type { AppError } from "../shared/errors.ts";
import { createSpamChecker } from "./spam-check.ts";

// A scorer that prints a SpamAssassin report with a fixed score, so the rules around the score are tested on both
// databases without SpamAssassin (spam-check.test.ts in test/e2e scores with the real one).
function fakeSpamAssassin(dir: string, score: number): string {
  const file = join(dir, `spamassassin-${score}`);
  writeFileSync(
    file,
    `#!/bin/sh
cat >/dev/null
printf 'Content analysis details:   (${score} points, 5.0 required)\\n\\n pts rule name              description\\n---- ---------------------- ----------------------------------------\\n${score} FAKE_RULE              Fake rule for tests\\n\\n'
`,
  );
  chmodSync(file, 0o755);
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error("expected a rejection");
}

const send = () => ({ publicUrl: "https://utsend.example", keys: keyringFromSecret("test-secret") });

describe.each(await testDialects())("the spam check on %s", (dialect) => {
  let t: TestDb;
  let dir: string;
  let personId: number;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), "utsend-spam-"));
    personId = (await aPerson(t.db, { firstName: "Kari", email: `kari.${dialect}@example.no` })).id;
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const aMailing = async (content: string) =>
    (await aReadyMailing(t.db, await aSendingSetup(t.db), [personId], { content })).id;

  it("reads tracked links back to their original URL and lets own findings be dismissed without a reason", async () => {
    const checker = createSpamChecker({ db: t.db, scorer: { kind: "none" }, send });
    const id = await aMailing(
      '<p>Se programmet.</p><p><a href="https://evil.example/login">www.fjordlys.no</a> <a href="https://fjordlys.no/program">fjordlys.no/program</a></p><p><a href="[[link.unsubscribe]]">Meld av</a></p>',
    );
    const check = await checker.check(id);
    expect(check.spamAssassin).toEqual({ kind: "unavailable" });
    const mismatch = check.findings.find((f) => f.code === "link-domain-mismatch");
    expect(mismatch).toMatchObject({ shownDomain: "fjordlys.no", targetDomain: "evil.example" });
    expect(check.findings.filter((f) => f.code === "link-domain-mismatch")).toHaveLength(1);

    const dismissed = await checker.dismiss(id, { key: mismatch!.key, dismissed: true }, null);
    expect(dismissed.findings.find((f) => f.key === mismatch!.key)).toMatchObject({
      dismissed: true,
      reason: null,
    });
    const stale = await rejection(
      checker.dismiss(id, { key: "spam:url-shortener:x", dismissed: true }, null),
    );
    expect(stale.code).toBe("VALIDATION_FAILED");
    const notSpam = await rejection(
      checker.dismiss(id, { key: "vague-subject:hei", dismissed: false }, null),
    );
    expect(notSpam.code).toBe("VALIDATION_FAILED");
    expect(await checker.blockingProblems(id)).toEqual([]);
  });

  it("blocks on a score at the threshold until dismissed with a reason, and not under it", async () => {
    const spammy = createSpamChecker({
      db: t.db,
      scorer: { kind: "local", command: fakeSpamAssassin(dir, 5), timeoutMs: 10_000 },
      send,
    });
    const id = await aMailing('<p>Hei!</p><p><a href="[[link.unsubscribe]]">Meld av</a></p>');
    const check = await spammy.check(id);
    expect(check.spamAssassin).toMatchObject({ kind: "scored", score: 5, blocking: true, dismissed: false });
    expect(await spammy.blockingProblems(id)).toEqual([expect.objectContaining({ code: "spam-score" })]);
    const key = (check.spamAssassin as { key: string }).key;

    const noReason = await rejection(spammy.dismiss(id, { key, dismissed: true, reason: "  " }, null));
    expect(noReason.code).toBe("VALIDATION_FAILED");
    const allowed = await spammy.dismiss(id, { key, dismissed: true, reason: "Intern test" }, null);
    expect(allowed.spamAssassin).toMatchObject({ dismissed: true, reason: "Intern test" });
    expect(await spammy.blockingProblems(id)).toEqual([]);
    await spammy.dismiss(id, { key, dismissed: false }, null);
    expect(await spammy.blockingProblems(id)).toHaveLength(1);

    const fine = createSpamChecker({
      db: t.db,
      scorer: { kind: "local", command: fakeSpamAssassin(dir, 4.9), timeoutMs: 10_000 },
      send,
    });
    expect(await fine.blockingProblems(id)).toEqual([]);
  });

  it("does not block when SpamAssassin fails, and says why", async () => {
    const broken = createSpamChecker({
      db: t.db,
      scorer: { kind: "local", command: join(dir, "no-such-spamassassin"), timeoutMs: 10_000 },
      send,
    });
    const id = await aMailing('<p>Hei!</p><p><a href="[[link.unsubscribe]]">Meld av</a></p>');
    expect((await broken.check(id)).spamAssassin).toMatchObject({ kind: "failed", scorer: "local" });
    expect(await broken.blockingProblems(id)).toEqual([]);
  });
});
