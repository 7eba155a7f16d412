import { describe, expect, it } from "vitest";
import { openStepKeys } from "./step-order.ts";

type State = "complete" | "incomplete" | "not-started";
const steps = (states: Record<string, [State, string[]?]>) =>
  (["setup", "template", "content", "recipients", "confirm"] as const).map((key) => ({
    key,
    state: states[key]?.[0] ?? ("not-started" as State),
    problems: (states[key]?.[1] ?? []).map((code) => ({ code })),
  }));

describe("openStepKeys", () => {
  it("opens steps in order, each once the ones before are complete", () => {
    expect([...openStepKeys(steps({ setup: ["complete"], template: ["not-started"] }))]).toEqual([
      "setup",
      "template",
    ]);
    expect([...openStepKeys(steps({ setup: ["incomplete", ["sending-account"]] }))]).toEqual(["setup"]);
  });

  it("keeps Recipients and Confirm reachable past content whose only problem is an unknown merge field", () => {
    const s = steps({
      setup: ["complete"],
      template: ["complete"],
      content: ["incomplete", ["unknown-variable", "template-error"]],
      recipients: ["complete"],
    });
    expect([...openStepKeys(s)]).toEqual(["setup", "template", "content", "recipients", "confirm"]);
  });

  it("keeps them reachable past written content that lacks its unsubscribe link", () => {
    const s = steps({
      setup: ["complete"],
      template: ["complete"],
      content: ["incomplete", ["unknown-variable", "unsubscribe-link"]],
      recipients: ["complete"],
    });
    expect([...openStepKeys(s)]).toEqual(["setup", "template", "content", "recipients", "confirm"]);
  });

  it("still holds them back when the content is not written, alone or beside a passable problem", () => {
    const missing = steps({
      setup: ["complete"],
      template: ["complete"],
      content: ["incomplete", ["content"]],
    });
    expect([...openStepKeys(missing)]).toEqual(["setup", "template", "content"]);
    const mixed = steps({
      setup: ["complete"],
      template: ["complete"],
      content: ["incomplete", ["unknown-variable", "content"]],
    });
    expect([...openStepKeys(mixed)]).toEqual(["setup", "template", "content"]);
  });

  it("passes over a step the mailing does not have (a form response's Recipients)", () => {
    const s = steps({ setup: ["complete"], template: ["complete"], content: ["complete"] }).filter(
      (step) => step.key !== "recipients",
    );
    expect([...openStepKeys(s)]).toEqual(["setup", "template", "content", "confirm"]);
  });

  it("lets a step the caller treats as complete pass (an SMS mailing's Template step)", () => {
    const s = steps({ setup: ["complete"], template: ["not-started"] });
    expect([...openStepKeys(s, (key) => key === "template")]).toEqual(["setup", "template", "content"]);
  });
});
