// Which wizard steps a marketer may open: in order, each once the steps before it are done. Pure and import-free, so
// the web UI uses the same rule (it imports this file; nothing else of the server is bundled).
import { STEP_KEYS } from "./words.ts";

type StepKey = (typeof STEP_KEYS)[number];
type StepLike = {
  key: StepKey;
  state: "complete" | "incomplete" | "not-started";
  problems: Array<{ code: string }>;
};

/**
 * Problems that do not hold the later steps back: the content is written, only a merge field is unknown, the
 * template does not parse or the unsubscribe link is missing. Recipients and Confirm stay reachable; Confirm lists
 * the problem and blocks sending only. Content not written at all still holds them back.
 */
export const PASSABLE_PROBLEMS: ReadonlySet<string> = new Set([
  "unknown-variable",
  "template-error",
  "unsubscribe-link",
]);

/** The wizard's steps in order, those the mailing has (a form response has no Recipients step). */
export function presentStepKeys(steps: Array<{ key: StepKey }>): StepKey[] {
  return STEP_KEYS.filter((key) => steps.some((s) => s.key === key));
}

/** A step that lets the next one open: complete, or incomplete only through passable problems. */
export function letsNextOpen(
  step: StepLike | undefined,
  treatAsComplete: (key: StepKey) => boolean,
): boolean {
  if (!step) return false;
  if (step.state === "complete" || treatAsComplete(step.key)) return true;
  return (
    step.state === "incomplete" &&
    step.problems.length > 0 &&
    step.problems.every((p) => PASSABLE_PROBLEMS.has(p.code))
  );
}

/**
 * Steps open in order: one opens when every step before it lets the next open. A step the mailing's type does not
 * have (a form response's Recipients) is not in `steps` and is passed over.
 */
export function openStepKeys(
  steps: StepLike[],
  treatAsComplete: (key: StepKey) => boolean = () => false,
): Set<StepKey> {
  const open = new Set<StepKey>();
  for (const key of presentStepKeys(steps)) {
    open.add(key);
    if (
      !letsNextOpen(
        steps.find((s) => s.key === key),
        treatAsComplete,
      )
    )
      break;
  }
  return open;
}
