// Creating and editing a draft as a person does it through the API: who may override consent, and when the
// recipient list is worked out again (see recipient-sources.ts).
import { type Actor, hasRight } from "../auth/rights.ts";
import type { Db } from "../db/connect.ts";
import { AppError } from "../shared/errors.ts";
import { recipientListChanged, resolvedMailing } from "./recipient-sources.ts";
import {
  createMailing,
  type MailingInput,
  type MailingWithSteps,
  requireEditable,
  updateMailing,
} from "./store.ts";

/** Overriding consent sends to people who have not agreed: only a user an admin granted it may switch it on. */
export function checkConsentOverride(actor: Actor, input: MailingInput): void {
  if (input.options?.overrideConsent && !hasRight(actor, "overrideConsent"))
    throw new AppError("FORBIDDEN", "Overriding consent needs the right an admin grants", {
      right: "overrideConsent",
    });
}

/** A new draft; when Setup links a selection or project, its list is worked out at once so step 4 shows it. */
export async function createDraft(
  db: Db,
  caller: { actor: Actor; userId: number | null },
  input: MailingInput,
): Promise<MailingWithSteps> {
  checkConsentOverride(caller.actor, input);
  const created = await createMailing(db, input, caller.userId);
  if (created.selectionId === null && created.projectId === null) return created;
  return resolvedMailing(db, created.id);
}

/** Stores an edit; the list is worked out again only when the edit changes who is on it. */
export async function editDraft(
  db: Db,
  actor: Actor,
  mailingId: number,
  input: MailingInput,
): Promise<MailingWithSteps> {
  checkConsentOverride(actor, input);
  const before = await requireEditable(db, mailingId);
  const updated = await updateMailing(db, mailingId, input);
  return recipientListChanged(before, input) ? resolvedMailing(db, mailingId) : updated;
}
