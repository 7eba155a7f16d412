// A mailing's lifecycle (SPEC §7): draft → scheduled → sending ⇄ paused → finished, or cancelled. Pure.
import type { MailingStatus } from "../db/schema.ts";

export type MailingAction = "schedule" | "unschedule" | "send" | "pause" | "resume" | "cancel" | "finish";

const transitions: Record<MailingAction, { from: MailingStatus[]; to: MailingStatus }> = {
  schedule: { from: ["draft", "scheduled"], to: "scheduled" },
  unschedule: { from: ["scheduled"], to: "draft" },
  send: { from: ["draft", "scheduled"], to: "sending" },
  pause: { from: ["sending"], to: "paused" },
  resume: { from: ["paused"], to: "sending" },
  cancel: { from: ["draft", "scheduled", "sending", "paused"], to: "cancelled" },
  finish: { from: ["sending"], to: "finished" },
};

export function nextStatus(current: MailingStatus, action: MailingAction): MailingStatus | null {
  const rule = transitions[action];
  return rule.from.includes(current) ? rule.to : null;
}

/** Statuses an action may start from: the guard of the one-statement UPDATE that performs it. */
export function allowedFrom(action: MailingAction): MailingStatus[] {
  return transitions[action].from;
}

/** Content, recipients and setup stay editable until sending starts. */
export function isEditable(status: MailingStatus): boolean {
  return status === "draft" || status === "scheduled";
}
