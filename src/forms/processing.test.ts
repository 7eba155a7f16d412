import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCompany, aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { confirmToken, formLinkUrl, readConfirmToken } from "../deliveries/form-link.ts";
import { createCustomField, createSubscriptionType } from "../persons/catalogue.ts";
import { consentHistory, recordConsent } from "../persons/consent.ts";
import { getPerson } from "../persons/persons.ts";
import { checkAddress } from "../privacy/suppression.ts";
import { createProject } from "../projects/store.ts";
import { createSelection } from "../selections/store.ts";
import { ensureOutboxAccount } from "../send/accounts.ts";
import { writeSettings } from "../settings/store.ts";
import type { FormDeps } from "./deps.ts";
import { formLinkToken, prefillFor } from "./prefill.ts";
import {
  confirmSubmission,
  expireOverdueConfirmations,
  handleNewSubmission,
  processSubmission,
  rejectSubmission,
} from "./processing.ts";
import { suggestionsFor } from "./suggestions.ts";
import { aForm, aSubmission, CONSENT_TEXT, formDeps, standardFields } from "./test-builders.ts";

let n = 0;
const unique = (local: string) => `${local}-${++n}-${Math.random().toString(36).slice(2, 6)}@example.no`;

describe.each(await testDialects())("form processing on %s", (dialect) => {
  let t: TestDb;
  let deps: FormDeps;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    await ensureOutboxAccount(t.db);
    deps = formDeps(t.db);
  });
  afterAll(async () => t.dispose());

  const submission = (id: number) =>
    t.db.selectFrom("form_submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const personsWith = async (email: string) =>
    t.db.selectFrom("person_emails").select("person_id").where("address_lower", "=", email).execute();
  const outboxTo = (address: string) =>
    t.db.selectFrom("outbox_messages").selectAll().where("to_address", "=", address).execute();

  it("automatic: creates the person with the answers and records the ticked consent with the form and its words", async () => {
    const form = await aForm(t.db);
    const email = unique("kari");
    const id = await aSubmission(t.db, form.id, {
      fornavn: "Kari",
      etternavn: "Nordmann",
      epost: email,
      mobil: "412 34 567",
      samtykke: "on",
      melding: "Hei",
    });
    expect(await handleNewSubmission(deps, id)).toBe("processed");
    const row = await submission(id);
    expect(row).toMatchObject({ status: "processed", processed_by: null });
    expect(row.processed_at).not.toBeNull();
    const person = await getPerson(t.db, row.person_id!);
    expect(person).toMatchObject({ firstName: "Kari", lastName: "Nordmann", email, mobile: "+4741234567" });
    expect(person.consents).toMatchObject([
      { purpose: "e-marketing", legalBasis: "consent", source: "form" },
    ]);
    const history = await consentHistory(t.db, person.id);
    expect(history).toMatchObject([
      {
        purpose: "e-marketing",
        change: "consent",
        source: "form",
        consentText: CONSENT_TEXT.nb,
        formId: form.id,
      },
    ]);
  });

  it("automatic: finds the person by e-mail, fills only empty fields, and never records an unticked consent", async () => {
    const email = unique("ola");
    const existing = await aPerson(t.db, { firstName: "Ola", lastName: "Gammel", email });
    const form = await aForm(t.db);
    const id = await aSubmission(t.db, form.id, {
      fornavn: "Olav",
      etternavn: "",
      epost: email.toUpperCase(),
      mobil: "90000001",
      samtykke: "",
    });
    expect(await handleNewSubmission(deps, id)).toBe("processed");
    expect((await submission(id)).person_id).toBe(existing.id);
    expect(await personsWith(email)).toHaveLength(1);
    const person = await getPerson(t.db, existing.id);
    expect(person).toMatchObject({ firstName: "Ola", lastName: "Gammel", mobile: "+4790000001" });
    expect(await consentHistory(t.db, existing.id)).toEqual([]);
  });

  it("overwrites a field with a value only when the admin allows that field", async () => {
    const email = unique("per");
    const existing = await aPerson(t.db, { firstName: "Per", lastName: "Hansen", email });
    await writeSettings(t.db, { formOverwritableFields: ["last_name"] });
    try {
      const form = await aForm(t.db);
      const id = await aSubmission(t.db, form.id, {
        fornavn: "Peder",
        etternavn: "Hansen-Berg",
        epost: email,
      });
      await handleNewSubmission(deps, id);
      expect(await getPerson(t.db, existing.id)).toMatchObject({ firstName: "Per", lastName: "Hansen-Berg" });
    } finally {
      await writeSettings(t.db, { formOverwritableFields: [] });
    }
  });

  it("fills a custom field mapped as custom:<id>", async () => {
    const field = await createCustomField(t.db, { key: `bransje${++n}`, label: "Bransje", type: "text" });
    const form = await aForm(t.db, {
      fields: standardFields([
        {
          key: "bransje",
          label: { nb: "Bransje", en: "Industry" },
          required: false,
          kind: "mapped",
          maps: `custom:${field.id}`,
          prefill: false,
        },
      ]),
    });
    const id = await aSubmission(t.db, form.id, { fornavn: "Siv", epost: unique("siv"), bransje: "Fiske" });
    await handleNewSubmission(deps, id);
    expect((await getPerson(t.db, (await submission(id)).person_id!)).customFields).toEqual({
      [field.key]: "Fiske",
    });
  });

  it("finds the company by name in any case, creates it only when the form allows it", async () => {
    const company = await aCompany(t.db, `Fjord ${++n} AS`);
    const linking = await aForm(t.db);
    const linked = await aSubmission(t.db, linking.id, {
      etternavn: "A",
      epost: unique("a"),
      firma: company.name.toUpperCase(),
    });
    await handleNewSubmission(deps, linked);
    expect(await submission(linked)).toMatchObject({ status: "processed", company_id: company.id });

    const name = `Nytt Firma ${++n} AS`;
    const refused = await aSubmission(t.db, linking.id, { etternavn: "B", epost: unique("b"), firma: name });
    await handleNewSubmission(deps, refused);
    expect(await submission(refused)).toMatchObject({ status: "processed", company_id: null });
    expect(await t.db.selectFrom("companies").select("id").where("name", "=", name).execute()).toEqual([]);

    const creating = await aForm(t.db, { allowCompanyCreate: true });
    const created = await aSubmission(t.db, creating.id, { etternavn: "C", epost: unique("c"), firma: name });
    await handleNewSubmission(deps, created);
    const row = await submission(created);
    const made = await t.db.selectFrom("companies").select("id").where("name", "=", name).execute();
    expect(made).toHaveLength(1);
    expect(row.company_id).toBe(made[0]!.id);
    expect((await getPerson(t.db, row.person_id!)).companyId).toBe(made[0]!.id);
  });

  it("automatic-if-match processes a known address and leaves an unknown one waiting", async () => {
    const email = unique("kjent");
    const known = await aPerson(t.db, { email });
    const form = await aForm(t.db, { mode: "automatic-if-match" });
    const matched = await aSubmission(t.db, form.id, { epost: email, etternavn: "Kjent" });
    expect(await handleNewSubmission(deps, matched)).toBe("processed");
    expect((await submission(matched)).person_id).toBe(known.id);
    const stranger = unique("ukjent");
    const waiting = await aSubmission(t.db, form.id, { epost: stranger, etternavn: "Ukjent" });
    expect(await handleNewSubmission(deps, waiting)).toBe("awaiting-manual");
    expect(await submission(waiting)).toMatchObject({ status: "submitted", person_id: null });
    expect(await personsWith(stranger)).toEqual([]);
  });

  it("manual leaves every submission waiting; a user links, creates or rejects, each once", async () => {
    const form = await aForm(t.db, { mode: "manual" });
    const email = unique("manuell");
    const target = await aPerson(t.db, { email });
    const a = await aSubmission(t.db, form.id, { epost: email, fornavn: "X" });
    expect(await handleNewSubmission(deps, a)).toBe("awaiting-manual");
    expect((await submission(a)).status).toBe("submitted");
    expect(await suggestionsFor(t.db, a)).toMatchObject([{ personId: target.id, reason: "same-email" }]);
    expect(await processSubmission(deps, a, target.id, null)).toBe(true);
    expect(await processSubmission(deps, a, target.id, null)).toBe(false);
    expect(await submission(a)).toMatchObject({ status: "processed", person_id: target.id });

    const newcomer = unique("ny");
    const b = await aSubmission(t.db, form.id, { epost: newcomer, etternavn: "Ny" });
    await handleNewSubmission(deps, b);
    expect(await processSubmission(deps, b, "create", null)).toBe(true);
    expect(await personsWith(newcomer)).toHaveLength(1);

    const c = await aSubmission(t.db, form.id, { epost: unique("spam"), etternavn: "Spam" });
    expect(await rejectSubmission(t.db, c, "spam", null)).toBe(true);
    expect(await rejectSubmission(t.db, c, "again", null)).toBe(false);
    expect(await processSubmission(deps, c, "create", null)).toBe(false);
    expect(await submission(c)).toMatchObject({ status: "rejected", reject_reason: "spam", person_id: null });
  });

  it("suggests by name and company, then by mobile, when no one has the address", async () => {
    const company = await aCompany(t.db, `Forslag ${++n} AS`);
    const surname = `Lund${n}`;
    const byName = await aPerson(t.db, { firstName: "Lise", lastName: surname, companyId: company.id });
    const byMobile = await aPerson(t.db, {
      lastName: "Mobil",
      mobile: `4${String(1000000 + n).padStart(7, "0")}`,
    });
    const form = await aForm(t.db, { mode: "manual" });
    const named = await aSubmission(t.db, form.id, {
      epost: unique("lise"),
      fornavn: "lise",
      etternavn: surname.toUpperCase(),
      firma: company.name.toLowerCase(),
    });
    expect(await suggestionsFor(t.db, named)).toMatchObject([
      { personId: byName.id, reason: "same-name-and-company" },
    ]);
    const mobiled = await aSubmission(t.db, form.id, { epost: unique("m"), mobil: byMobile.mobile! });
    expect(await suggestionsFor(t.db, mobiled)).toMatchObject([
      { personId: byMobile.id, reason: "same-mobile" },
    ]);
  });

  it("a suppressed address that ticks consent on a form gets the consent; the suppression entry stays", async () => {
    const email = unique("tilbake");
    const before = await aPerson(t.db, { email });
    await recordConsent(t.db, before.id, {
      purpose: "e-marketing",
      legalBasis: "withdrawn",
      source: "unsubscribe-link",
    });
    expect(await checkAddress(t.db, email)).not.toBeNull();
    await t.db.deleteFrom("persons").where("id", "=", before.id).execute();
    const form = await aForm(t.db);
    const id = await aSubmission(t.db, form.id, { epost: email, etternavn: "Tilbake", samtykke: "on" });
    expect(await handleNewSubmission(deps, id)).toBe("processed");
    const person = await getPerson(t.db, (await submission(id)).person_id!);
    expect(person.consents).toMatchObject([
      { purpose: "e-marketing", legalBasis: "consent", source: "form" },
    ]);
    expect(await checkAddress(t.db, email)).not.toBeNull();
  });

  it("runs the form's actions: selection, project, interests, subscriptions and a note to users", async () => {
    const selection = await createSelection(t.db, { name: `Fra skjema ${++n}`, kind: "static" });
    const project = await createProject(t.db, { name: `Prosjekt ${n}` });
    const type = await createSubscriptionType(t.db, { name: `Nyhetsbrev ${n}` });
    const ticked = await createSubscriptionType(t.db, { name: `Kurs ${n}` });
    const userEmail = unique("bruker");
    const user = await t.db
      .insertInto("users")
      .values({
        email: userEmail,
        name: "Bruker",
        role: "marketer",
        password_hash: "x",
        can_override_consent: 0,
        disabled: 0,
        language: "en",
        created_at: new Date().toISOString(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const email = unique("handling");
    const person = await aPerson(t.db, { email, interests: ["Gammel", "Beholdes"] });
    const form = await aForm(t.db, {
      fields: standardFields([
        {
          key: "kurs",
          label: { nb: "Kurs", en: "Courses" },
          required: false,
          kind: "subscription",
          subscriptionTypeId: ticked.id,
        },
      ]),
      actions: {
        addToSelectionIds: [selection.id],
        addToProjectIds: [project.id],
        addInterests: ["Seiling"],
        removeInterests: ["gammel"],
        subscribeTypeIds: [type.id],
        notifyUserIds: [user.id],
      },
    });
    const id = await aSubmission(t.db, form.id, { epost: email, kurs: "on" });
    expect(await handleNewSubmission(deps, id)).toBe("processed");
    const after = await getPerson(t.db, person.id);
    expect(after.interests.sort()).toEqual(["Beholdes", "Seiling"]);
    expect(after.subscriptions.map((s) => [s.typeId, s.status]).sort()).toEqual(
      [
        [type.id, "subscribed"],
        [ticked.id, "subscribed"],
      ].sort(),
    );
    expect(
      await t.db
        .selectFrom("selection_members")
        .selectAll()
        .where("selection_id", "=", selection.id)
        .execute(),
    ).toMatchObject([{ person_id: person.id }]);
    expect(
      await t.db.selectFrom("project_members").selectAll().where("project_id", "=", project.id).execute(),
    ).toMatchObject([{ person_id: person.id }]);
    const [note] = await outboxTo(userEmail);
    expect(note!.subject).toContain("was processed");
    expect(note!.raw).toContain(`/forms/${form.id}/submissions/${id}`);
  });

  it("a subscribe action never brings back someone who unsubscribed from the type", async () => {
    const type = await createSubscriptionType(t.db, { name: `Avmeldt ${++n}` });
    const email = unique("avmeldt");
    const person = await aPerson(t.db, { email });
    await t.db
      .insertInto("person_subscriptions")
      .values({
        person_id: person.id,
        type_id: type.id,
        status: "unsubscribed",
        updated_at: new Date().toISOString(),
      })
      .execute();
    const form = await aForm(t.db, { actions: { subscribeTypeIds: [type.id] } });
    await handleNewSubmission(deps, await aSubmission(t.db, form.id, { epost: email }));
    expect((await getPerson(t.db, person.id)).subscriptions).toMatchObject([
      { typeId: type.id, status: "unsubscribed" },
    ]);
  });

  it("double opt-in: sends the confirmation, waits, and processes by mode once confirmed", async () => {
    const form = await aForm(t.db, { doubleOptIn: true, language: "en" });
    const email = unique("dobbel");
    const id = await aSubmission(t.db, form.id, { epost: email, etternavn: "Dobbel", samtykke: "on" });
    expect(await handleNewSubmission(deps, id)).toBe("awaiting-confirmation");
    const waiting = await submission(id);
    expect(waiting.status).toBe("awaiting-confirmation");
    const hours =
      (Date.parse(waiting.confirm_expires_at!) - Date.parse(waiting.confirm_sent_at!)) / 3_600_000;
    expect(hours).toBe(48);
    expect(await personsWith(email)).toEqual([]);
    const [mail] = await outboxTo(email);
    expect(mail!.subject).toBe(`Confirm your submission: ${form.name}`);
    const token = /\/confirm\/([A-Za-z0-9_.-]+)/.exec(mail!.raw.replace(/=\r?\n/g, ""))![1]!;
    expect(readConfirmToken(deps.send.keys, token)?.submissionId).toBe(id);
    expect(await confirmSubmission(deps, id)).toBe("confirmed");
    expect(await confirmSubmission(deps, id)).toBe("already-confirmed");
    const row = await submission(id);
    expect(row.status).toBe("processed");
    expect(row.confirmed_at).not.toBeNull();
    expect(await consentHistory(t.db, row.person_id!)).toHaveLength(1);
  });

  it("double opt-in: an overdue link leaves the submission expired, and nothing is written", async () => {
    await writeSettings(t.db, { formConfirmHours: 1 });
    try {
      const form = await aForm(t.db, { doubleOptIn: true });
      const email = unique("sent");
      const id = await aSubmission(t.db, form.id, { epost: email, etternavn: "Sen" });
      await handleNewSubmission(deps, id);
      const past = new Date(Date.now() - 1000).toISOString();
      await t.db
        .updateTable("form_submissions")
        .set({ confirm_expires_at: past })
        .where("id", "=", id)
        .execute();
      expect(await confirmSubmission(deps, id)).toBe("expired");
      expect((await submission(id)).status).toBe("expired");
      expect(await personsWith(email)).toEqual([]);
      // A later submission of the same address is a new row and gets its own link.
      const again = await aSubmission(t.db, form.id, { epost: email, etternavn: "Sen" });
      expect(await handleNewSubmission(deps, again)).toBe("awaiting-confirmation");
      expect(await outboxTo(email)).toHaveLength(2);
      const other = await aSubmission(t.db, form.id, { epost: unique("x"), etternavn: "X" });
      await handleNewSubmission(deps, other);
      await t.db
        .updateTable("form_submissions")
        .set({ confirm_expires_at: past })
        .where("id", "=", other)
        .execute();
      expect(await expireOverdueConfirmations(t.db)).toBeGreaterThanOrEqual(1);
      expect((await submission(other)).status).toBe("expired");
    } finally {
      await writeSettings(t.db, { formConfirmHours: 48 });
    }
  });

  it("two processes handling one submission at once make one person and one consent entry", async () => {
    const form = await aForm(t.db);
    const email = unique("samtidig");
    const id = await aSubmission(t.db, form.id, { epost: email, etternavn: "Samtidig", samtykke: "on" });
    const results = await Promise.all([
      handleNewSubmission(deps, id),
      handleNewSubmission(deps, id),
      handleNewSubmission(deps, id),
    ]);
    expect(results).toEqual(["processed", "processed", "processed"]);
    const people = await personsWith(email);
    expect(people).toHaveLength(1);
    expect(await consentHistory(t.db, people[0]!.person_id)).toHaveLength(1);
  });

  it("two confirmations at once process the submission once", async () => {
    const form = await aForm(t.db, { doubleOptIn: true });
    const email = unique("tobekreft");
    const id = await aSubmission(t.db, form.id, { epost: email, etternavn: "To", samtykke: "on" });
    await handleNewSubmission(deps, id);
    const outcomes = await Promise.all([confirmSubmission(deps, id), confirmSubmission(deps, id)]);
    expect(outcomes.sort()).toEqual(["already-confirmed", "confirmed"]);
    const people = await personsWith(email);
    expect(people).toHaveLength(1);
    expect(await consentHistory(t.db, people[0]!.person_id)).toHaveLength(1);
  });

  it("pre-fill: the signed token names the person for one form only; processing links them only with their address", async () => {
    const company = await aCompany(t.db, `Prefill ${++n} AS`);
    const email = unique("prefill");
    const person = await aPerson(t.db, { firstName: "Pia", lastName: "Fylt", email, companyId: company.id });
    const form = await aForm(t.db);
    const other = await aForm(t.db);
    const token = formLinkToken(deps.send.keys, person.id, form.slug);
    expect(formLinkUrl(deps.send.publicUrl, deps.send.keys, person.id, form.slug)).toBe(
      `${deps.send.publicUrl}/f/${form.slug}?t=${token}`,
    );
    expect(await prefillFor(deps, form.slug, token)).toEqual({
      personId: person.id,
      values: { fornavn: "Pia", etternavn: "Fylt", epost: email, firma: company.name },
    });
    expect(await prefillFor(deps, other.slug, token)).toBeNull();
    expect(await prefillFor(deps, form.slug, `${token.slice(0, -2)}xx`)).toBeNull();
    expect(await prefillFor(deps, form.slug, null)).toBeNull();

    // Another person shares the address and was created first; the token's person is the one linked.
    const twin = await aPerson(t.db, { lastName: "Tvilling", email: unique("tvilling") });
    const mine = await aSubmission(t.db, form.id, { epost: email }, { prefillPersonId: person.id });
    await handleNewSubmission(deps, mine);
    expect((await submission(mine)).person_id).toBe(person.id);
    // A different address than the token's person's: the token does not decide, the address does.
    const changed = await aSubmission(
      t.db,
      form.id,
      { epost: twin.email!, etternavn: "T" },
      { prefillPersonId: person.id },
    );
    await handleNewSubmission(deps, changed);
    expect((await submission(changed)).person_id).toBe(twin.id);
  });

  it("a confirmation token names its submission and expiry and cannot be forged", () => {
    const expires = new Date(Date.UTC(2030, 0, 1));
    const token = confirmToken(deps.send.keys, 42, expires);
    expect(readConfirmToken(deps.send.keys, token)).toEqual({ submissionId: 42, expiresAt: expires });
    expect(readConfirmToken(deps.send.keys, token.replace(/^a1/, "a2"))).toBeNull();
    expect(readConfirmToken({ current: "a", keys: { a: "other" } }, token)).toBeNull();
  });
});
