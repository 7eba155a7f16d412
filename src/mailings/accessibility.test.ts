import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import type { AppError } from "../shared/errors.ts";
import { dismissWarning } from "./actions.ts";
import { createMailing, deleteMailing, getMailing, updateMailing } from "./store.ts";

const FAULTY_MJML = `<mjml><mj-body><mj-section><mj-column>
  <mj-image src="https://cdn.example/salg.jpg"></mj-image>
  <mj-text color="#999999">Vårsalget er i gang: 30 % på alt til og med søndag i alle butikkene våre.
  Se hele utvalget på nett, eller kom innom for en prat. <a href="https://fjordlys.example/salg">Les mer</a></mj-text>
  <mj-text><a href="[[link.unsubscribe]]">Meld deg av</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error("expected a rejection");
}

describe.each(await testDialects())("a mailing's accessibility warnings on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  const aFaultyMailing = () =>
    createMailing(
      t.db,
      { name: "Vårsalg", subject: "Nyhetsbrev", contentFormat: "mjml", content: FAULTY_MJML },
      null,
    );

  it("are worked out from the content as it will be sent, and none of them blocks sending", async () => {
    const mailing = await aFaultyMailing();
    expect(mailing.accessibilityWarnings.map((w) => [w.code, w.key, w.dismissed])).toEqual([
      ["image-without-alt", "image-without-alt:https://cdn.example/salg.jpg", false],
      ["low-contrast-text", "low-contrast-text:#999999/#ffffff", false],
      ["vague-link-text", "vague-link-text:les mer", false],
      ["vague-subject", "vague-subject:nyhetsbrev", false],
    ]);
    expect(mailing.problems.map((p) => p.code)).not.toContain(expect.stringMatching(/alt|contrast|vague/));
    expect(mailing.warnings).toEqual([]);
  });

  it("stay listed once dismissed, marked as such, until someone brings them back", async () => {
    const mailing = await aFaultyMailing();
    const dismissed = await dismissWarning(
      t.db,
      mailing.id,
      { key: "vague-subject:nyhetsbrev", dismissed: true },
      null,
    );
    expect(dismissed.accessibilityWarnings.map((w) => [w.code, w.dismissed])).toEqual([
      ["image-without-alt", false],
      ["low-contrast-text", false],
      ["vague-link-text", false],
      ["vague-subject", true],
    ]);
    // Dismissing twice is the same as once.
    await dismissWarning(t.db, mailing.id, { key: "vague-subject:nyhetsbrev", dismissed: true }, null);
    const back = await dismissWarning(
      t.db,
      mailing.id,
      { key: "vague-subject:nyhetsbrev", dismissed: false },
      null,
    );
    expect(back.accessibilityWarnings.every((w) => !w.dismissed)).toBe(true);
  });

  it("warn again when an edit brings a different fault, and drop a fault the edit fixed", async () => {
    const mailing = await aFaultyMailing();
    await dismissWarning(t.db, mailing.id, { key: "vague-subject:nyhetsbrev", dismissed: true }, null);
    const edited = await updateMailing(t.db, mailing.id, { subject: "Klikk her" });
    expect(edited.accessibilityWarnings.find((w) => w.code === "vague-subject")).toMatchObject({
      key: "vague-subject:klikk her",
      dismissed: false,
    });
    const fixed = await updateMailing(t.db, mailing.id, { subject: "Vårsalg: 30 % på alt til søndag" });
    expect(fixed.accessibilityWarnings.map((w) => w.code)).not.toContain("vague-subject");
  });

  it("refuse a key that is not one of the content's warnings now, and a mailing that can no longer change", async () => {
    const mailing = await aFaultyMailing();
    const stale = await rejection(
      dismissWarning(
        t.db,
        mailing.id,
        { key: "image-without-alt:https://cdn.example/gammel.jpg", dismissed: true },
        null,
      ),
    );
    expect(stale.code).toBe("VALIDATION_FAILED");
    await t.db.updateTable("mailings").set({ status: "finished" }).where("id", "=", mailing.id).execute();
    const finished = await rejection(
      dismissWarning(t.db, mailing.id, { key: "vague-subject:nyhetsbrev", dismissed: true }, null),
    );
    expect(finished.code).toBe("MAILING_NOT_EDITABLE");
  });

  it("go with their mailing when it is deleted", async () => {
    const mailing = await aFaultyMailing();
    await dismissWarning(t.db, mailing.id, { key: "vague-link-text:les mer", dismissed: true }, null);
    await deleteMailing(t.db, mailing.id);
    const left = await t.db
      .selectFrom("mailing_dismissed_warnings")
      .select("warning_key")
      .where("mailing_id", "=", mailing.id)
      .execute();
    expect(left).toEqual([]);
  });

  it("are only the subject's while there is no content, or MJML that does not compile", async () => {
    const empty = await createMailing(t.db, { name: "Tom", subject: "Nyhetsbrev" }, null);
    expect(empty.accessibilityWarnings.map((w) => w.code)).toEqual(["vague-subject"]);
    await updateMailing(t.db, empty.id, { contentFormat: "mjml", content: "<mjml><mj-body><mj-section>" });
    expect((await getMailing(t.db, empty.id)).accessibilityWarnings.map((w) => w.code)).toEqual([
      "vague-subject",
    ]);
  });
});
