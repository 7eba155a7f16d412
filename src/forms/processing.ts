// PLACEHOLDER on the forms-core branch only: the processing helper's src/forms/processing.ts replaces this file at
// merge. It exists so the hosted page can call the seam the contract names; it leaves the submission as it is.
import type { FormDeps } from "./deps.ts";

export type SubmissionOutcome = "processed" | "awaiting-confirmation" | "awaiting-manual" | "rejected";

export async function handleNewSubmission(
  _deps: FormDeps,
  _submissionId: number,
): Promise<SubmissionOutcome> {
  return "awaiting-manual";
}
