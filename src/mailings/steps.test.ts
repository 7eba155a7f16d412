import { describe, expect, it } from "vitest";
import { liveSetupProblems, mailingSteps, type Problem } from "./steps.ts";

const facts = {
  name: "",
  sendingAccountId: null,
  subject: null,
  fromAddress: "post@ukjent.example",
  fromDomainRegistered: false,
  templateChosen: false,
  content: null,
  hasUnsubscribeLink: false,
  unknownVariables: [],
  templateErrors: [],
  recipientsResolved: false,
  eligibleRecipients: 0,
};

const setupOf = (p: Problem[]) => p.filter((x) => x.step === "setup").map((x) => x.code);

describe("liveSetupProblems", () => {
  const saved = mailingSteps(facts).problems.filter((p) => p.step === "setup");

  it("drops a required field's problem as soon as the field is filled, keeping problems only a save can check", () => {
    expect(setupOf(saved)).toEqual(["name", "sending-account", "subject", "from-domain"]);
    const live = liveSetupProblems(
      saved,
      { ...facts, name: "Vårnytt", subject: "Hei", sendingAccountId: 3 },
      "email",
    );
    // The from domain is checked against the registered domains on save, not here.
    expect(setupOf(live)).toEqual(["from-domain"]);
  });

  it("adds a required field's problem as soon as the field is emptied", () => {
    const clean = mailingSteps({
      ...facts,
      name: "Vårnytt",
      subject: "Hei",
      sendingAccountId: 3,
      fromDomainRegistered: true,
    }).problems.filter((p) => p.step === "setup");
    expect(clean).toEqual([]);
    const live = liveSetupProblems(
      clean,
      { name: "  ", subject: "Hei", sendingAccountId: 3, fromAddress: "" },
      "email",
    );
    expect(live.map((p) => [p.code, p.message])).toEqual([
      ["name", "The mailing needs a name"],
      ["from", "Give a from address"],
    ]);
  });

  it("asks an SMS for its sender, never for a subject, and keeps an invalid sender until saved", () => {
    const invalid: Problem = {
      step: "setup",
      code: "sender",
      field: "smsSender",
      message: "longer than 11 characters",
    };
    const live = liveSetupProblems(
      [invalid],
      { name: "SMS", sendingAccountId: 2, smsSender: "Fjordlys Reiser" },
      "sms",
    );
    expect(live).toEqual([invalid]);
    expect(
      setupOf(liveSetupProblems([], { name: "SMS", sendingAccountId: 2, smsSender: "" }, "sms")),
    ).toEqual(["sender"]);
  });
});
