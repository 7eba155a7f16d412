// The optional proof of work on a hosted form (issue 16, SPEC §9): ALTCHA's widget, served from our own server,
// fetches a challenge from /f/<slug>/challenge, solves it in the visitor's browser and posts the solution with the
// answers; the POST judges it here. No third-party service: altcha-lib signs and checks challenges with an HMAC key
// derived from the send keyring, so a challenge needs no row until its solution is used (submissions.ts keeps the
// used ones, so each is accepted once). Pure: HMAC and PBKDF2 are computation.
import { createHmac } from "node:crypto";
import { type Challenge, createChallenge, randomInt, verifySolution } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import type { Keyring } from "../deliveries/tokens.ts";

/** The hidden field the widget posts its payload in; it starts with `_`, which a field key never does. */
export const POW_FIELD = "_pow";

/**
 * The work a challenge asks: PBKDF2/SHA-256 at POW_COST iterations per attempt, and the answer is a secret counter
 * drawn from POW_COUNTER (deterministic mode), so a browser makes about 450 attempts, never more than 600. Measured
 * in Chromium on one core of our 2-core test machine, one worker: 0.27 ms an attempt, so 80–160 ms a challenge; a
 * phone's core two or three times slower still stays under half a second, and the widget splits the attempts over
 * several workers. Verifying costs us one HMAC: the challenge carries a signature of the answer it hides.
 */
export const POW_ALGORITHM = "PBKDF2/SHA-256";
export const POW_COST = 1000;
export const POW_COUNTER = { min: 300, max: 600 } as const;
/** The widget fetches its challenge when Submit is pressed; five minutes covers a slow phone on a slow network. */
export const POW_CHALLENGE_MS = 5 * 60 * 1000;

/**
 * What the widget needs beyond the hosted page's own policy: to fetch its challenge from us, and to run its solver
 * in workers it makes from blob: URLs (their code comes inside the widget's script, which itself only loads from us).
 * PBKDF2 runs on WebCrypto, not WebAssembly, so no 'wasm-unsafe-eval'; its styles are inline, which the page allows.
 */
export const POW_CSP = "connect-src 'self'; worker-src blob:";

/** Two secrets per key: one signs the challenge, the other the answer it hides. Separate from the keyring's uses. */
function secretsOf(key: string) {
  const derive = (use: string) => createHmac("sha256", key).update(`form-pow:${use}`).digest("hex");
  return { hmacSignatureSecret: derive("challenge"), hmacKeySignatureSecret: derive("answer") };
}

/** A signed challenge for this form, made with the current key, expiring POW_CHALLENGE_MS after `now`. */
export function issueChallenge(keys: Keyring, formId: number, now: number): Promise<Challenge> {
  return createChallenge({
    algorithm: POW_ALGORITHM,
    cost: POW_COST,
    counter: randomInt(POW_COUNTER.max, POW_COUNTER.min),
    deriveKey,
    expiresAt: Math.floor((now + POW_CHALLENGE_MS) / 1000),
    data: { form: formId, kid: keys.current },
    ...secretsOf(keys.keys[keys.current]!),
  });
}

export type PowVerdict =
  | { ok: true; signature: string; expiresAt: string }
  | { ok: false; why: "missing" | "malformed" | "expired" | "invalid" | "other-form" };

type Parameters = Challenge["parameters"];
/** Our challenges always carry an expiry and their data (form, kid). */
type Payload = {
  challenge: {
    parameters: Parameters & Required<Pick<Parameters, "expiresAt" | "data">>;
    signature: string;
  };
  solution: { counter: number; derivedKey: string };
};

/** The widget's payload (base64 of JSON) in the shape we sign, or null. */
function parsePayload(text: string): Payload | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
  } catch {
    return null;
  }
  const p = value as Partial<Payload> | null;
  const parameters = p?.challenge?.parameters as Partial<Parameters> | undefined;
  const ok =
    typeof parameters === "object" &&
    parameters !== null &&
    typeof parameters.expiresAt === "number" &&
    typeof parameters.data === "object" &&
    parameters.data !== null &&
    typeof p?.challenge?.signature === "string" &&
    /^[0-9a-f]{64}$/.test(p.challenge.signature) &&
    typeof p.solution?.counter === "number" &&
    typeof p.solution.derivedKey === "string";
  return ok ? (p as Payload) : null;
}

/**
 * Whether the posted payload solves a challenge we signed for this form that has not expired. A tampered challenge
 * fails its signature; a wrong answer fails the answer's signature. It says nothing about reuse: the caller spends
 * the signature (spendPowSolution), and a second spend of the same one is a replay.
 */
export async function judgeSolution(
  keys: Keyring,
  formId: number,
  posted: string,
  now: number,
): Promise<PowVerdict> {
  if (!posted) return { ok: false, why: "missing" };
  const payload = parsePayload(posted);
  if (!payload) return { ok: false, why: "malformed" };
  const { parameters } = payload.challenge;
  const kid = String(parameters.data.kid);
  // Own keys only: a kid such as "constructor" must not find what every object inherits.
  const key = Object.hasOwn(keys.keys, kid) ? keys.keys[kid] : undefined;
  if (typeof key !== "string") return { ok: false, why: "invalid" };
  if (parameters.expiresAt * 1000 <= now) return { ok: false, why: "expired" };
  let result: Awaited<ReturnType<typeof verifySolution>>;
  try {
    result = await verifySolution({
      challenge: payload.challenge,
      solution: payload.solution,
      deriveKey,
      ...secretsOf(key),
    });
  } catch {
    // Parameters the library cannot read were not signed by us.
    return { ok: false, why: "invalid" };
  }
  if (result.expired) return { ok: false, why: "expired" };
  if (!result.verified) return { ok: false, why: "invalid" };
  if (parameters.data.form !== formId) return { ok: false, why: "other-form" };
  return {
    ok: true,
    signature: payload.challenge.signature,
    expiresAt: new Date(parameters.expiresAt * 1000).toISOString(),
  };
}
