// A mailing's lifecycle (SPEC §7): draft → scheduled → sending ⇄ paused → finished, or cancelled. Pure; the one
// writer of a mailing's status is transition() in transition.ts, which performs these rules.
import type { MailingStatus } from "../db/schema.ts";

export type MailingAction =
  | "schedule"
  | "unschedule"
  | "send"
  | "pause"
  | "resume"
  | "cancel"
  | "finish"
  | "startFailed"
  | "reopen"
  | "editAgain";

const transitions: Record<MailingAction, { from: MailingStatus[]; to: MailingStatus }> = {
  schedule: { from: ["draft", "scheduled"], to: "scheduled" },
  unschedule: { from: ["scheduled"], to: "draft" },
  send: { from: ["draft", "scheduled"], to: "sending" },
  pause: { from: ["sending"], to: "paused" },
  resume: { from: ["paused"], to: "sending" },
  cancel: { from: ["draft", "scheduled", "sending", "paused"], to: "cancelled" },
  finish: { from: ["sending"], to: "finished" },
  // A scheduled mailing that became unsendable at its time goes back to draft, where its problems are shown.
  startFailed: { from: ["scheduled"], to: "draft" },
  // New attempts for a finished mailing (send again, corrected addresses) open it for the worker again.
  reopen: { from: ["finished"], to: "sending" },
  // A generated document (nothing was sent) may be edited and generated again, and one whose generation failed and
  // paused it may be fixed; documents only (documents/).
  editAgain: { from: ["finished", "cancelled", "paused"], to: "draft" },
};

export function nextStatus(current: MailingStatus, action: MailingAction): MailingStatus | null {
  const rule = transitions[action];
  return rule.from.includes(current) ? rule.to : null;
}

/** The status an action leads to. */
export function statusAfter(action: MailingAction): MailingStatus {
  return transitions[action].to;
}

/** Statuses an action may start from: the guard of the one-statement UPDATE that performs it. */
export function allowedFrom(action: MailingAction): MailingStatus[] {
  return transitions[action].from;
}

/** Content, recipients and setup stay editable until sending starts. */
export function isEditable(status: MailingStatus): boolean {
  return status === "draft" || status === "scheduled";
}
