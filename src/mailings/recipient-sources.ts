// Step 4's recipient sources, and when a draft's recipient list is worked out again: after any change to its
// sources, after an edit that changes whom the Setup link or the options let in, and when the marketer asks.

import type { StoredBlockReason } from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import { invalid, notFound } from "../shared/errors.ts";
import { type SourceRequest, sourceRequestProblem } from "./pasted-addresses.ts";
import { addSource, listRecipients, listSources, removeSource, resolveRecipients } from "./recipients.ts";
import {
  getMailing,
  type Mailing,
  type MailingInput,
  type MailingWithSteps,
  requireEditable,
} from "./store.ts";

/**
 * Whether an edit changes who is on the list: the options (consent, duplicates, companies) or a Setup link that
 * differs from the one stored. Content, sender and the like leave the list as it is.
 */
export function recipientListChanged(
  before: Pick<Mailing, "selectionId" | "projectId" | "subscriptionTypeId">,
  input: MailingInput,
): boolean {
  return (
    input.options !== undefined ||
    (input.selectionId !== undefined && input.selectionId !== before.selectionId) ||
    (input.projectId !== undefined && input.projectId !== before.projectId) ||
    (input.subscriptionTypeId !== undefined && input.subscriptionTypeId !== before.subscriptionTypeId)
  );
}

/** Resolves the list again and reads the mailing with its new counts. */
export async function resolvedMailing(db: Db, mailingId: number): Promise<MailingWithSteps> {
  await resolveRecipients(db, mailingId);
  return getMailing(db, mailingId);
}

export async function sourcesOf(db: Db, mailingId: number) {
  await getMailing(db, mailingId);
  return { items: await listSources(db, mailingId) };
}

export async function recipientsOf(
  db: Db,
  mailingId: number,
  filter: {
    status?: "eligible" | "blocked" | "left-out" | undefined;
    reason?: StoredBlockReason | undefined;
  },
  page: { limit: number; offset: number },
) {
  await getMailing(db, mailingId);
  return listRecipients(db, mailingId, filter, page);
}

export async function addRecipientSource(
  db: Db,
  mailingId: number,
  request: SourceRequest,
): Promise<MailingWithSteps> {
  await requireEditable(db, mailingId);
  const problem = sourceRequestProblem(request);
  if (problem) throw invalid([problem]);
  const { kind, refId, addresses } = request;
  await addSource(db, mailingId, {
    kind,
    ...(refId !== undefined ? { refId } : {}),
    ...(addresses ? { addresses } : {}),
  });
  return resolvedMailing(db, mailingId);
}

export async function removeRecipientSource(
  db: Db,
  mailingId: number,
  sourceId: number,
): Promise<MailingWithSteps> {
  await requireEditable(db, mailingId);
  if (!(await removeSource(db, mailingId, sourceId))) throw notFound("source", sourceId);
  return resolvedMailing(db, mailingId);
}

export async function refreshRecipients(db: Db, mailingId: number): Promise<MailingWithSteps> {
  await requireEditable(db, mailingId);
  return resolvedMailing(db, mailingId);
}
