import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { issueChallenge, judgeSolution, POW_CHALLENGE_MS, POW_COUNTER } from "./proof-of-work.ts";
import { spendPowSolution } from "./submissions.ts";

const keys = { current: "b", keys: { a: "old-secret", b: "new-secret" } };

/** What the widget posts: its challenge and the solution, as base64 of JSON. */
async function solved(keyring: typeof keys, formId: number, at: number) {
  const challenge = await issueChallenge(keyring, formId, at);
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error("the challenge was not solved");
  const payload = {
    challenge: { parameters: challenge.parameters, signature: challenge.signature },
    solution,
  };
  return { challenge, solution, payload, posted: Buffer.from(JSON.stringify(payload)).toString("base64") };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

describe("judging a proof-of-work solution", () => {
  const now = Date.now();

  it("accepts a solved challenge for this form, and names its signature and expiry to spend it by", async () => {
    const { challenge, posted } = await solved(keys, 7, now);
    expect(challenge.parameters.data).toEqual({ form: 7, kid: "b" });
    expect(await judgeSolution(keys, 7, posted, now + 1000)).toEqual({
      ok: true,
      signature: challenge.signature,
      expiresAt: new Date(challenge.parameters.expiresAt! * 1000).toISOString(),
    });
  });

  it("hides an answer within the counter range, and it expires after POW_CHALLENGE_MS", async () => {
    const { challenge, solution } = await solved(keys, 7, now);
    expect(solution.counter).toBeGreaterThanOrEqual(POW_COUNTER.min);
    expect(solution.counter).toBeLessThanOrEqual(POW_COUNTER.max);
    expect(challenge.parameters.expiresAt).toBe(Math.floor((now + POW_CHALLENGE_MS) / 1000));
  });

  it("refuses an expired challenge, whether our clock or the library's says so", async () => {
    const { posted } = await solved(keys, 7, now);
    expect(await judgeSolution(keys, 7, posted, now + POW_CHALLENGE_MS + 1000)).toEqual({
      ok: false,
      why: "expired",
    });
    const old = await solved(keys, 7, now - POW_CHALLENGE_MS - 2000);
    expect(await judgeSolution(keys, 7, old.posted, now - POW_CHALLENGE_MS)).toEqual({
      ok: false,
      why: "expired",
    });
  });

  it("refuses a tampered challenge, a wrong answer and a challenge for another form", async () => {
    const { payload, posted } = await solved(keys, 7, now);
    const easier = { ...payload.challenge.parameters, cost: 1 };
    expect(
      await judgeSolution(
        keys,
        7,
        encode({ ...payload, challenge: { ...payload.challenge, parameters: easier } }),
        now,
      ),
    ).toEqual({ ok: false, why: "invalid" });
    const longer = {
      ...payload.challenge.parameters,
      expiresAt: payload.challenge.parameters.expiresAt! + 3600,
    };
    expect(
      await judgeSolution(
        keys,
        7,
        encode({ ...payload, challenge: { ...payload.challenge, parameters: longer } }),
        now,
      ),
    ).toEqual({ ok: false, why: "invalid" });
    const guessed = { counter: payload.solution.counter + 1, derivedKey: "00".repeat(32) };
    expect(await judgeSolution(keys, 7, encode({ ...payload, solution: guessed }), now)).toEqual({
      ok: false,
      why: "invalid",
    });
    expect(await judgeSolution(keys, 8, posted, now)).toEqual({ ok: false, why: "other-form" });
  });

  it("refuses a challenge signed with a key we do not hold, and accepts one of a rotated-out key we still hold", async () => {
    const foreign = await solved({ current: "b", keys: { a: "x", b: "someone-else" } }, 7, now);
    expect(await judgeSolution(keys, 7, foreign.posted, now)).toEqual({ ok: false, why: "invalid" });
    for (const kid of ["constructor", "__proto__", "toString"]) {
      const parameters = { ...foreign.payload.challenge.parameters, data: { form: 7, kid } };
      const posted = encode({ ...foreign.payload, challenge: { ...foreign.payload.challenge, parameters } });
      expect(await judgeSolution(keys, 7, posted, now)).toEqual({ ok: false, why: "invalid" });
    }
    const old = await solved({ current: "a", keys: { a: "old-secret", b: "new-secret" } }, 7, now);
    expect((await judgeSolution(keys, 7, old.posted, now)).ok).toBe(true);
  });

  it("tells a missing payload from a malformed one, including the widget's test mode", async () => {
    expect(await judgeSolution(keys, 7, "", now)).toEqual({ ok: false, why: "missing" });
    expect(await judgeSolution(keys, 7, "not base64 of json", now)).toEqual({ ok: false, why: "malformed" });
    expect(
      await judgeSolution(keys, 7, encode({ challenge: null, solution: null, test: true }), now),
    ).toEqual({
      ok: false,
      why: "malformed",
    });
  });
});

describe.each(await testDialects())("spending a solution on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("accepts a solution once: the same one again is a replay", async () => {
    const { posted } = await solved(keys, 7, Date.now());
    const verdict = await judgeSolution(keys, 7, posted, Date.now());
    if (!verdict.ok) throw new Error(`not accepted: ${verdict.why}`);
    expect(await spendPowSolution(t.db, verdict.signature, verdict.expiresAt)).toBe(true);
    const again = await judgeSolution(keys, 7, posted, Date.now());
    expect(again.ok).toBe(true);
    if (again.ok) expect(await spendPowSolution(t.db, again.signature, again.expiresAt)).toBe(false);
  });

  it("lets two posts of one solution at once spend it exactly once", async () => {
    const spends = await Promise.all(
      [1, 2, 3].map(() => spendPowSolution(t.db, "ab".repeat(32), futureIso())),
    );
    expect(spends.filter(Boolean)).toHaveLength(1);
  });

  it("clears spent solutions whose challenge has expired, and keeps the others", async () => {
    await spendPowSolution(t.db, "cd".repeat(32), new Date(Date.now() - 1000).toISOString());
    await spendPowSolution(t.db, "ef".repeat(32), futureIso());
    const left = await t.db.selectFrom("form_pow_solutions").select("signature").execute();
    expect(left.map((r) => r.signature)).not.toContain("cd".repeat(32));
    expect(left.map((r) => r.signature)).toContain("ef".repeat(32));
  });
});

const futureIso = () => new Date(Date.now() + POW_CHALLENGE_MS).toISOString();
