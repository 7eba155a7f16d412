// The marketer's actions on blocked addresses, on every database: correct (and resend), clear, former employee,
// delete the address, add the persons to a selection or project.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import type { Db } from "../db/connect.ts";
import { blockAddress } from "../deliveries/blocks.ts";
import { getPerson, updatePerson } from "../persons/persons.ts";
import { createProject } from "../projects/store.ts";
import { createSelection } from "../selections/store.ts";
import { beginSending } from "../send/planner.ts";
import {
  addAddressPersonsToProject,
  addAddressPersonsToSelection,
  clearBlocks,
  correctAddress,
  deleteAddresses,
  markFormerEmployees,
} from "./corrections.ts";

const now = () => new Date().toISOString();

async function aMailingTo(db: Db, personId: number, status: "bounced" | "sent" | "complained") {
  const setup = await aSendingSetup(db);
  const mailing = await aReadyMailing(db, setup, [personId]);
  await beginSending(db, mailing.id);
  await db
    .updateTable("deliveries")
    .set({ status, bounce_kind: status === "bounced" ? "hard" : null, last_reply: "5.1.1 unknown" })
    .where("mailing_id", "=", mailing.id)
    .execute();
  await db.updateTable("mailings").set({ status: "finished" }).where("id", "=", mailing.id).execute();
  return mailing.id;
}

async function blocked(db: Db, address: string) {
  const row = await db
    .selectFrom("address_blocks")
    .select("blocked")
    .where("address_lower", "=", address)
    .executeTakeFirst();
  return row?.blocked === 1;
}

describe.each(await testDialects())("corrections on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("corrects the address on the person, clears its block and resends only the mailings it missed", async () => {
    const old = `feil-${dialect}@example.no`;
    const person = await aPerson(t.db, { email: old });
    await updatePerson(
      t.db,
      person.id,
      { emails: [{ address: old, primary: true }, { address: `annen-${dialect}@example.no` }] },
      { defaultCountry: "NO" },
    );
    const missed = await aMailingTo(t.db, person.id, "bounced");
    const gotIt = await aMailingTo(t.db, person.id, "sent");
    const complained = await aMailingTo(t.db, person.id, "complained");
    await blockAddress(t.db, old, "hard-bounce", "550 5.1.1 unknown", now());

    const result = await correctAddress(t.db, old.toUpperCase(), `Riktig-${dialect}@example.no`);
    expect(result.persons).toBe(1);
    expect(result.resent).toEqual([
      {
        mailingId: missed,
        created: [expect.objectContaining({ email: `Riktig-${dialect}@example.no`, attempt: 2 })],
        skipped: [],
      },
    ]);
    const after = await getPerson(t.db, person.id);
    expect(after.emails).toEqual([
      { address: `Riktig-${dialect}@example.no`, primary: true },
      { address: `annen-${dialect}@example.no`, primary: false },
    ]);
    expect(await blocked(t.db, old)).toBe(false);
    const attempts = await t.db
      .selectFrom("deliveries")
      .select(["mailing_id", "attempt"])
      .where("person_id", "=", person.id)
      .where("attempt", ">", 1)
      .execute();
    expect(attempts).toEqual([{ mailing_id: missed, attempt: 2 }]);
    expect([gotIt, complained]).not.toContain(attempts[0]!.mailing_id);
    const m = await t.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", missed)
      .executeTakeFirstOrThrow();
    expect(m.status).toBe("sending");
  });

  it("refuses a new address that is not an address or is the same, naming newAddress", async () => {
    await expect(correctAddress(t.db, "a@example.no", "ikke en adresse")).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ field: "newAddress" }] },
    });
    await expect(correctAddress(t.db, "a@example.no", " A@example.no ")).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });

  it("does not send to a corrected address that is itself blocked", async () => {
    const old = `gammel-${dialect}@example.no`;
    const person = await aPerson(t.db, { email: old });
    const mailingId = await aMailingTo(t.db, person.id, "bounced");
    await blockAddress(t.db, `sperret-${dialect}@example.no`, "hard-bounce", "5.1.1", now());
    const result = await correctAddress(t.db, old, `sperret-${dialect}@example.no`);
    expect(result.resent).toEqual([
      { mailingId, created: [], skipped: [{ recipientId: expect.any(Number), reason: "blocked" }] },
    ]);
  });

  it("clears blocks, marks former employees and deletes an address, making the next one primary", async () => {
    const address = `slett-${dialect}@example.no`;
    const person = await aPerson(t.db, { email: address });
    await updatePerson(
      t.db,
      person.id,
      { emails: [{ address, primary: true }, { address: `neste-${dialect}@example.no` }] },
      { defaultCountry: "NO" },
    );
    await blockAddress(t.db, address, "hard-bounce", "5.1.1", now());
    expect(await markFormerEmployees(t.db, [address.toUpperCase()])).toEqual({ persons: 1 });
    expect((await getPerson(t.db, person.id)).formerEmployee).toBe(true);
    expect(await deleteAddresses(t.db, [address, "ingen@example.no"])).toEqual({ removed: 1 });
    expect((await getPerson(t.db, person.id)).emails).toEqual([
      { address: `neste-${dialect}@example.no`, primary: true },
    ]);
    expect(await blocked(t.db, address)).toBe(true);
    expect(await clearBlocks(t.db, [address, "ingen@example.no"])).toEqual({ cleared: 1 });
    expect(await blocked(t.db, address)).toBe(false);
  });

  it("adds the persons having the addresses to a static selection or a project, naming a missing one", async () => {
    const a = await aPerson(t.db, { email: `medlem-${dialect}@example.no` });
    const selection = await createSelection(t.db, { name: `Sperret ${dialect}`, kind: "static" });
    const project = await createProject(t.db, { name: `Opprydding ${dialect}` });
    expect(await addAddressPersonsToSelection(t.db, [`medlem-${dialect}@example.no`], selection.id)).toEqual({
      added: 1,
    });
    expect(await addAddressPersonsToProject(t.db, [`MEDLEM-${dialect}@example.no`], project.id)).toEqual({
      added: 1,
    });
    const members = await t.db
      .selectFrom("project_members")
      .select("person_id")
      .where("project_id", "=", project.id)
      .execute();
    expect(members).toEqual([{ person_id: a.id }]);
    await expect(addAddressPersonsToSelection(t.db, ["x@example.no"], 999_999)).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
      details: { field: "selectionId" },
    });
    await expect(addAddressPersonsToProject(t.db, ["x@example.no"], 999_999)).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
      details: { field: "projectId" },
    });
  });
});
