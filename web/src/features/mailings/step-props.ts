// What the wizard hands each step: the saved mailing, the values as edited, and the ways to change them.

import { openStepKeys, presentStepKeys } from "../../../../src/mailings/step-order.ts";
import { STEP_KEYS } from "../../../../src/mailings/words.ts";
import type { Mailing, MailingFields, MailingInput, StepKey } from "../../api/mailing-types.ts";
import { isSms } from "../sms/types.ts";

export { STEP_KEYS };

export type StepProps = {
  /** As the server last returned it (steps, problems, counts). */
  mailing: Mailing;
  /** The mailing's fields with the unsaved changes on top. */
  values: MailingFields;
  change: (patch: MailingInput) => void;
  /** API field errors from the last save, by field path. */
  errors: Record<string, string>;
  editable: boolean;
  /** Saves unsaved changes first, then runs a write that answers with the mailing; null when either failed. */
  act: (write: () => Promise<Mailing>) => Promise<Mailing | null>;
  goTo: (step: StepKey) => void;
};

/** A step's state; an SMS mailing may skip its Template step (a template is offered, never required). */
function stateOf(mailing: Pick<Mailing, "steps">, key: StepKey) {
  if (key === "template" && isSms(mailing)) return "complete";
  return mailing.steps.find((s) => s.key === key)?.state ?? "not-started";
}

/**
 * Steps open in order: one opens when every step before it is complete, or has only problems Confirm lists and
 * that block sending alone (an unknown merge field): src/mailings/step-order.ts, shared with the tests.
 */
export function openSteps(mailing: Pick<Mailing, "steps">): Set<StepKey> {
  return openStepKeys(mailing.steps, (key) => stateOf(mailing, key) === "complete");
}

/** Where to land without a step in the address: the first open step that is not complete. */
export function firstUnfinished(mailing: Pick<Mailing, "steps">): StepKey {
  const open = openSteps(mailing);
  return (
    presentStepKeys(mailing.steps).find((key) => open.has(key) && stateOf(mailing, key) !== "complete") ??
    "confirm"
  );
}

/** Empty text means "not set" for the nullable text fields. */
export function orNull(text: string): string | null {
  return text.trim() === "" ? null : text;
}
