// What a marketer does about a blocked address: clear the block, correct the address (and send the mailings it
// missed to the new one), mark its persons as former employees, delete it from them, or add them to a selection
// or project (SPEC §8 "Bounces").

import type { Db } from "../db/connect.ts";
import { clearBlocks as clearAddressBlocks } from "../deliveries/blocks.ts";
import { isValidEmail } from "../persons/person-rules.ts";
import { addProjectMembers } from "../projects/store.ts";
import { addSelectionMembers } from "../selections/store.ts";
import { type ResendResult, resendAsNewAttempt } from "../send/resend.ts";
import { isoNow } from "../shared/clock.ts";
import { invalid, missingReference } from "../shared/errors.ts";
import { personsWith } from "./blocked.ts";

const lower = (addresses: string[]) => [...new Set(addresses.map((a) => a.trim().toLowerCase()))];

async function personIdsWith(db: Db, addresses: string[]): Promise<number[]> {
  const byAddress = await personsWith(db, lower(addresses));
  return [...new Set([...byAddress.values()].flat().map((p) => p.id))];
}

/** The addresses may be mailed again; their run of soft bounces starts over. Unknown addresses are ignored. */
export async function clearBlocks(db: Db, addresses: string[]): Promise<{ cleared: number }> {
  return { cleared: await clearAddressBlocks(db, lower(addresses)) };
}

export async function addAddressPersonsToSelection(
  db: Db,
  addresses: string[],
  selectionId: number,
): Promise<{ added: number }> {
  const found = await db
    .selectFrom("selections")
    .select("id")
    .where("id", "=", selectionId)
    .executeTakeFirst();
  if (!found) throw missingReference("selectionId", "selection", selectionId);
  const ids = await personIdsWith(db, addresses);
  if (ids.length === 0) return { added: 0 };
  return addSelectionMembers(db, selectionId, ids);
}

export async function addAddressPersonsToProject(
  db: Db,
  addresses: string[],
  projectId: number,
): Promise<{ added: number }> {
  const found = await db.selectFrom("projects").select("id").where("id", "=", projectId).executeTakeFirst();
  if (!found) throw missingReference("projectId", "project", projectId);
  const ids = await personIdsWith(db, addresses);
  if (ids.length === 0) return { added: 0 };
  return addProjectMembers(db, projectId, ids);
}

/** The persons having the addresses have left their company: no mailing goes to them (SPEC §4). */
export async function markFormerEmployees(db: Db, addresses: string[]): Promise<{ persons: number }> {
  const ids = await personIdsWith(db, addresses);
  if (ids.length === 0) return { persons: 0 };
  const result = await db
    .updateTable("persons")
    .set({ former_employee: 1, updated_at: isoNow() })
    .where("id", "in", ids)
    .where("former_employee", "=", 0)
    .executeTakeFirst();
  return { persons: Number(result.numUpdatedRows) };
}

/**
 * Removes the addresses from every person that has them; a person who loses the primary address gets their oldest
 * remaining one as primary. The block stays: the address is still bad if it comes back through an import.
 */
export async function deleteAddresses(db: Db, addresses: string[]): Promise<{ removed: number }> {
  const targets = lower(addresses);
  const now = isoNow();
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("person_emails")
      .select(["id", "person_id", "is_primary"])
      .where("address_lower", "in", targets)
      .execute();
    if (rows.length === 0) return { removed: 0 };
    await trx
      .deleteFrom("person_emails")
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    const personIds = [...new Set(rows.map((r) => r.person_id))];
    for (const personId of new Set(rows.filter((r) => r.is_primary === 1).map((r) => r.person_id)))
      await promoteOldest(trx as unknown as Db, personId);
    await trx.updateTable("persons").set({ updated_at: now }).where("id", "in", personIds).execute();
    return { removed: rows.length };
  });
}

async function promoteOldest(db: Db, personId: number): Promise<void> {
  const next = await db
    .selectFrom("person_emails")
    .select("id")
    .where("person_id", "=", personId)
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (next) await db.updateTable("person_emails").set({ is_primary: 1 }).where("id", "=", next.id).execute();
}

export type CorrectionResult = {
  /** Persons whose address was changed. */
  persons: number;
  /** Per mailing sent again: the new attempts and who was left out, and why. */
  resent: Array<{ mailingId: number } & ResendResult>;
};

/**
 * Corrects an address everywhere it is known: on every person that has it (keeping it primary if it was), on the
 * recipient rows of the mailings where it came back, and clears its block. Then each such mailing is sent again, to
 * the new address, to the recipients that it bounced for and who have not received the mailing since (cancelled
 * mailings excepted). A new address that is itself blocked gets nothing; the result says so.
 */
export async function correctAddress(db: Db, from: string, to: string): Promise<CorrectionResult> {
  const oldLower = from.trim().toLowerCase();
  const address = to.trim();
  const newLower = address.toLowerCase();
  if (!isValidEmail(address))
    throw invalid([
      {
        field: "newAddress",
        message: `"${to}" is not a valid e-mail address`,
        kind: "format",
        params: { format: "email" },
      },
    ]);
  if (newLower === oldLower)
    throw invalid([
      { field: "newAddress", message: "the new address is the same as the old one", kind: "same-address" },
    ]);
  const now = isoNow();

  const { persons, targets } = await db.transaction().execute(async (trx) => {
    const t = trx as unknown as Db;
    const rows = await t
      .selectFrom("person_emails")
      .select(["id", "person_id", "is_primary"])
      .where("address_lower", "=", oldLower)
      .execute();
    for (const row of rows) {
      const clash = await t
        .selectFrom("person_emails")
        .select("id")
        .where("person_id", "=", row.person_id)
        .where("address_lower", "=", newLower)
        .executeTakeFirst();
      if (clash) {
        // The person has the new address already: the old one goes, and its primary flag moves over.
        await t.deleteFrom("person_emails").where("id", "=", row.id).execute();
        if (row.is_primary === 1)
          await t.updateTable("person_emails").set({ is_primary: 1 }).where("id", "=", clash.id).execute();
      } else
        await t
          .updateTable("person_emails")
          .set({ address, address_lower: newLower })
          .where("id", "=", row.id)
          .execute();
    }
    const personIds = [...new Set(rows.map((r) => r.person_id))];
    if (personIds.length > 0)
      await t.updateTable("persons").set({ updated_at: now }).where("id", "in", personIds).execute();
    await clearAddressBlocks(t, [oldLower]);

    // Complaints are left out: the person got that mailing and said no.
    const returned = await t
      .selectFrom("deliveries as d")
      .innerJoin("mailings as m", "m.id", "d.mailing_id")
      .select(["d.mailing_id", "d.recipient_id"])
      .distinct()
      .where("d.address_key", "=", oldLower)
      .where((eb) =>
        eb.or([
          eb("d.status", "=", "bounced"),
          eb.and([eb("d.status", "=", "failed"), eb("d.bounce_kind", "is not", null)]),
        ]),
      )
      .where("m.status", "in", ["sending", "paused", "finished"])
      .orderBy("d.mailing_id")
      .execute();
    const recipientIds = returned.map((r) => r.recipient_id);
    for (let i = 0; i < recipientIds.length; i += 500)
      await t
        .updateTable("mailing_recipients")
        .set({ email: address, email_lower: newLower })
        .where("id", "in", recipientIds.slice(i, i + 500))
        .where("email_lower", "=", oldLower)
        .execute();
    const byMailing = new Map<number, number[]>();
    for (const r of returned)
      byMailing.set(r.mailing_id, [...(byMailing.get(r.mailing_id) ?? []), r.recipient_id]);
    return { persons: personIds.length, targets: byMailing };
  });

  const resent: CorrectionResult["resent"] = [];
  for (const [mailingId, recipientIds] of targets)
    resent.push({ mailingId, ...(await resendAsNewAttempt(db, mailingId, recipientIds)) });
  return { persons, resent };
}
