import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { spamAssassinAvailable } from "../../test/helpers/requirements.ts";
import { parseSpamReport, scoreWithSpamAssassin, spamScorer } from "./spamassassin.ts";

// As `spamassassin -t` appends it (SpamAssassin 4.0), with a description that wraps onto a second line.
const REPORT = `Spam detection software, running on the system "vm",
has NOT identified this incoming email as spam.

Content analysis details:   (3.8 points, 5.0 required)

 pts rule name              description
---- ---------------------- --------------------------------------------------
-0.0 NO_RECEIVED            Informational: message has no Received headers
 1.7 HTML_IMAGE_ONLY_04     BODY: HTML: images with 0-400 bytes of words
 1.0 URIBL_BLOCKED          ADMINISTRATOR NOTICE: The query to URIBL was
                            blocked.
                            [URIs: fjordlys.example]
1000 GTUBE                  BODY: Generic Test for Unsolicited Bulk Email

`;

describe("reading SpamAssassin's report", () => {
  it("reads the score, the threshold and every rule with its points and description, heaviest first", () => {
    expect(parseSpamReport(REPORT)).toEqual({
      score: 3.8,
      required: 5,
      rules: [
        { name: "GTUBE", points: 1000, description: "BODY: Generic Test for Unsolicited Bulk Email" },
        {
          name: "HTML_IMAGE_ONLY_04",
          points: 1.7,
          description: "BODY: HTML: images with 0-400 bytes of words",
        },
        {
          name: "URIBL_BLOCKED",
          points: 1,
          description: "ADMINISTRATOR NOTICE: The query to URIBL was blocked. [URIs: fjordlys.example]",
        },
        { name: "NO_RECEIVED", points: 0, description: "Informational: message has no Received headers" },
      ],
    });
  });

  it("gives null for output without a report", () => {
    expect(parseSpamReport("0/0\n")).toBeNull();
  });
});

describe("choosing the scorer", () => {
  it("asks the named spamd, else spamassassin on PATH, else nothing; off means nothing", () => {
    const base = { spamAssassin: "auto" as const, spamCheckTimeoutMs: 5000 };
    expect(spamScorer({ ...base, spamdAddress: "spam.internal:783" })).toEqual({
      kind: "spamd",
      host: "spam.internal",
      port: 783,
      timeoutMs: 5000,
    });
    expect(spamScorer({ ...base, spamdAddress: "[::1]:783" })).toMatchObject({ host: "::1", port: 783 });
    expect(spamScorer({ ...base, spamdAddress: "" }, "/nonexistent")).toEqual({ kind: "none" });
    expect(spamScorer({ ...base, spamAssassin: "off", spamdAddress: "spam.internal:783" })).toEqual({
      kind: "none",
    });
  });

  it("reports an unreachable spamd as failed with spamc's reason, not as a clean score", async () => {
    const hasSpamc = spawnSync("spamc", ["-V"]).status === 0;
    if (!hasSpamc) return;
    const outcome = await scoreWithSpamAssassin(
      { kind: "spamd", host: "127.0.0.1", port: 1, timeoutMs: 5000 },
      Buffer.from("Subject: x\n\nhei\n"),
    );
    expect(outcome.kind).toBe("failed");
  });
});

describe.runIf(spamAssassinAvailable())("scoring with spamassassin -t -L", () => {
  it("scores the GTUBE test string over 1000 and names the rule", { timeout: 30_000 }, async () => {
    const scorer = spamScorer({ spamAssassin: "auto", spamdAddress: "", spamCheckTimeoutMs: 20_000 });
    const raw = Buffer.from(
      "From: post@fjordlys.example\nTo: kari@example.no\nSubject: Test\nMessage-ID: <m1.r1.a1@fjordlys.example>\n\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n",
    );
    const outcome = await scoreWithSpamAssassin(scorer, raw);
    expect(outcome).toMatchObject({ kind: "scored", scorer: "local", required: 5 });
    if (outcome.kind !== "scored") return;
    expect(outcome.score).toBeGreaterThanOrEqual(1000);
    expect(outcome.rules.map((r) => r.name)).toContain("GTUBE");
  });

  it("reports a timeout as failed", async () => {
    const outcome = await scoreWithSpamAssassin(
      { kind: "local", command: "spamassassin", timeoutMs: 1 },
      Buffer.from("Subject: x\n\nhei\n"),
    );
    expect(outcome).toMatchObject({ kind: "failed" });
  });
});
