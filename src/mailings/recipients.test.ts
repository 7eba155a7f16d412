import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCompany, aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { createCompany } from "../companies/companies.ts";
import type { Db } from "../db/connect.ts";
import { blockAddress } from "../deliveries/blocks.ts";
import { createSubscriptionType } from "../persons/catalogue.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import { erasePerson } from "../privacy/erase.ts";
import { addProjectMembers, createProject } from "../projects/store.ts";
import { addSelectionCompanies, addSelectionMembers, createSelection } from "../selections/store.ts";
import { writeSettings } from "../settings/store.ts";
import { addSource, listRecipients, recipientCounts, resolveRecipients } from "./recipients.ts";
import { createMailing, type MailingInput } from "./store.ts";

type Row = { email: string | null; status: string; blockReason: string | null };

async function resolved(db: Db, input: MailingInput, sources: Array<Parameters<typeof addSource>[2]> = []) {
  const mailing = await createMailing(db, { name: "Test", ...input }, null);
  for (const source of sources) await addSource(db, mailing.id, source);
  await resolveRecipients(db, mailing.id);
  const rows = (await listRecipients(db, mailing.id, {}, { limit: 500, offset: 0 })).items as Row[];
  return { id: mailing.id, rows, byEmail: Object.fromEntries(rows.map((r) => [r.email, r])) };
}

const now = () => new Date().toISOString();

describe.each(await testDialects())("recipients (SPEC §4) on %s", (dialect) => {
  let t: TestDb;
  let n = 0;
  const email = (name: string) => `${name}-${++n}-${dialect}@example.no`;

  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  async function consenting(name: string, extra: Parameters<typeof aPerson>[1] = {}) {
    const p = await aPerson(t.db, { email: email(name), ...extra });
    await recordConsent(t.db, p.id, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
    return p;
  }

  async function staticSelection(ids: number[]) {
    const s = await createSelection(t.db, { name: `S${++n}`, kind: "static" });
    if (ids.length) await addSelectionMembers(t.db, s.id, ids);
    return s;
  }

  it("adds only the selection's people when both a selection and a project are linked in Setup", async () => {
    const inSelection = await consenting("utvalg");
    const inProject = await consenting("prosjekt");
    const selection = await staticSelection([inSelection.id]);
    const project = await createProject(t.db, { name: "P" });
    await addProjectMembers(t.db, project.id, [inProject.id]);
    const both = await resolved(t.db, { selectionId: selection.id, projectId: project.id });
    expect(both.rows.map((r) => r.email)).toEqual([inSelection.email]);
    const projectOnly = await resolved(t.db, { projectId: project.id });
    expect(projectOnly.rows.map((r) => r.email)).toEqual([inProject.email]);
    const withStep4 = await resolved(t.db, { selectionId: selection.id, projectId: project.id }, [
      { kind: "project", refId: project.id },
    ]);
    expect(withStep4.rows.map((r) => r.email)).toEqual([inSelection.email, inProject.email]);
  });

  it("leaves out people without an e-mail address and counts them", async () => {
    const without = await aPerson(t.db, { email: "" });
    await recordConsent(t.db, without.id, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
    const withAddress = await consenting("med");
    const r = await resolved(t.db, {}, [
      { kind: "person", refId: without.id },
      { kind: "person", refId: withAddress.id },
    ]);
    expect(r.rows.map((x) => x.email)).toEqual([withAddress.email]);
    expect((await recipientCounts(t.db, r.id)).leftOut).toBe(1);
  });

  it("with the consent filter, needs e-marketing consent for 'any' and a subscription or consent for a type", async () => {
    const type = await createSubscriptionType(t.db, { name: `Type ${++n}` });
    const consented = await consenting("samtykke");
    const subscribed = await aPerson(t.db, { email: email("abonnent") });
    await setSubscription(t.db, subscribed.id, { typeId: type.id, status: "subscribed", source: "form" });
    const nothing = await aPerson(t.db, { email: email("ingenting") });
    const sources = [consented, subscribed, nothing].map((p) => ({ kind: "person" as const, refId: p.id }));
    const any = await resolved(t.db, {}, sources);
    expect(any.byEmail[consented.email!]!.status).toBe("eligible");
    expect(any.byEmail[subscribed.email!]!.blockReason).toBe("no-consent");
    expect(any.byEmail[nothing.email!]!.blockReason).toBe("no-consent");
    const typed = await resolved(t.db, { subscriptionTypeId: type.id }, sources);
    expect(typed.byEmail[consented.email!]!.status).toBe("eligible");
    expect(typed.byEmail[subscribed.email!]!.status).toBe("eligible");
    expect(typed.byEmail[nothing.email!]!.blockReason).toBe("no-subscription");
    await writeSettings(t.db, { consentFilter: false });
    const unfiltered = await resolved(t.db, {}, sources);
    expect(unfiltered.rows.every((r) => r.status === "eligible")).toBe(true);
    await writeSettings(t.db, { consentFilter: true });
  });

  it("always blocks unsubscribed, withdrawn, complained, blocked addresses and former employees; override lifts only consent", async () => {
    const type = await createSubscriptionType(t.db, { name: `Type ${++n}` });
    const unsubscribed = await consenting("avmeldt");
    await setSubscription(t.db, unsubscribed.id, {
      typeId: type.id,
      status: "unsubscribed",
      source: "unsubscribe-link",
    });
    const withdrawn = await aPerson(t.db, { email: email("trukket") });
    await recordConsent(t.db, withdrawn.id, {
      purpose: "e-marketing",
      legalBasis: "withdrawn",
      source: "unsubscribe-link",
    });
    const complained = await consenting("klage");
    await blockAddress(t.db, complained.email!.toLowerCase(), "complained", "ARF abuse", now());
    const bounced = await consenting("retur");
    await blockAddress(t.db, bounced.email!.toLowerCase(), "hard-bounce", "550 5.1.1", now());
    const former = await consenting("sluttet", { formerEmployee: true });
    const noConsent = await aPerson(t.db, { email: email("uten") });
    const people = [unsubscribed, withdrawn, complained, bounced, former, noConsent];
    const sources = people.map((p) => ({ kind: "person" as const, refId: p.id }));
    for (const override of [false, true]) {
      const typed = await resolved(
        t.db,
        { subscriptionTypeId: type.id, options: { overrideConsent: override } },
        sources,
      );
      expect(typed.byEmail[unsubscribed.email!]!.blockReason).toBe("unsubscribed");
      expect(typed.byEmail[complained.email!]!.blockReason).toBe("complained");
      expect(typed.byEmail[bounced.email!]!.blockReason).toBe("blocked-address");
      expect(typed.byEmail[former.email!]!.blockReason).toBe("former-employee");
      expect(typed.byEmail[noConsent.email!]!.blockReason).toBe(override ? null : "no-subscription");
      const any = await resolved(t.db, { options: { overrideConsent: override } }, sources);
      expect(any.byEmail[withdrawn.email!]!.blockReason).toBe("consent-withdrawn");
      expect(any.byEmail[noConsent.email!]!.status).toBe(override ? "eligible" : "blocked");
    }
  });

  it("gives one message per address to the first recipient in source order, and one per person always", async () => {
    const shared = email("felles");
    const first = await consenting("a", { email: shared });
    const second = await consenting("b", { email: shared.toUpperCase() });
    const selection = await staticSelection([second.id]);
    const r = await resolved(t.db, { selectionId: selection.id }, [
      { kind: "person", refId: first.id },
      { kind: "person", refId: second.id },
    ]);
    // The Setup link comes first, so the selection's person keeps the address; the same person again is a duplicate too.
    expect(r.rows.map((x) => [x.email, x.status, x.blockReason])).toEqual([
      [second.email, "eligible", null],
      [first.email, "blocked", "duplicate"],
      [second.email, "blocked", "duplicate"],
    ]);
    const separate = await resolved(t.db, { selectionId: selection.id, options: { onePerAddress: false } }, [
      { kind: "person", refId: first.id },
    ]);
    expect(separate.rows.map((x) => x.status)).toEqual(["eligible", "eligible"]);
  });

  it("includes listed companies: their address when they have one, else their people", async () => {
    const withAddress = await createCompany(
      t.db,
      { name: `Med post ${++n}`, email: `post${n}@firma.no` },
      "NO",
    );
    const withoutAddress = await aCompany(t.db, `Uten post ${++n}`);
    const employee = await consenting("ansatt", { companyId: withoutAddress.id });
    const selection = await staticSelection([]);
    await addSelectionCompanies(t.db, selection.id, [withAddress.id, withoutAddress.id]);
    const off = await resolved(t.db, { selectionId: selection.id });
    expect(off.rows).toHaveLength(0);
    const on = await resolved(t.db, { selectionId: selection.id, options: { includeCompanies: true } });
    expect(on.rows.map((r) => r.email).sort()).toEqual([employee.email, withAddress.email].sort());
  });

  it("prefers the company: one message per company", async () => {
    const company = await aCompany(t.db, `Felles ${++n}`);
    const a = await consenting("kollega1", { companyId: company.id });
    const b = await consenting("kollega2", { companyId: company.id });
    const r = await resolved(t.db, { options: { preferCompany: true } }, [
      { kind: "person", refId: a.id },
      { kind: "person", refId: b.id },
    ]);
    expect(r.byEmail[a.email!]!.status).toBe("eligible");
    expect(r.byEmail[b.email!]!.blockReason).toBe("duplicate");
  });

  it("letters: one letter per postal address when asked (off by default), and one per company when preferred", async () => {
    const company = await createCompany(
      t.db,
      { name: `Brevfirma ${++n}`, street: "Bryggen 5", postcode: "5003", city: "Bergen" },
      "NO",
    );
    // Two colleagues without addresses of their own (their letters go to the company), one with a home address, and
    // a couple sharing a home.
    const a = await aPerson(t.db, { companyId: company.id });
    const b = await aPerson(t.db, { companyId: company.id });
    const home = { street: "Åsgårdveien 7", postcode: "3179", city: "Åsgårdstrand" };
    const c = await aPerson(t.db, { companyId: company.id, ...home });
    const d = await aPerson(t.db, home);
    const people = [a, b, c, d].map((p) => ({ kind: "person" as const, refId: p.id }));
    const letters = async (options: MailingInput["options"]) => {
      const r = await resolved(t.db, { type: "document", ...(options ? { options } : {}) }, people);
      const rows = (await listRecipients(t.db, r.id, {}, { limit: 500, offset: 0 })).items as Array<
        Row & { personId: number }
      >;
      return [a, b, c, d].map((p) => {
        const row = rows.find((x) => x.personId === p.id)!;
        return row.status === "eligible" ? "letter" : row.blockReason;
      });
    };
    expect(await letters(undefined)).toEqual(["letter", "letter", "letter", "letter"]);
    expect(await letters({ onePerAddress: true })).toEqual(["letter", "duplicate", "letter", "duplicate"]);
    // One per company: the colleague at home is the company's too; the neighbour, in no company, keeps hers.
    expect(await letters({ preferCompany: true })).toEqual(["letter", "duplicate", "duplicate", "letter"]);
  });

  it("treats pasted addresses as import-only recipients, but one that belongs to a CRM person follows that person's rules", async () => {
    const former = await consenting("tidligere", { formerEmployee: true });
    const r = await resolved(t.db, {}, [
      {
        kind: "addresses",
        addresses: [
          { email: "ny.kontakt@example.no", name: "Ny Kontakt" },
          { email: former.email!.toUpperCase() },
        ],
      },
    ]);
    expect(r.byEmail["ny.kontakt@example.no"]!.status).toBe("eligible");
    expect(r.byEmail[former.email!.toUpperCase()]!.blockReason).toBe("former-employee");
  });

  it("blocks a pasted address of an erased person as a blocked address: the suppression list remembers it", async () => {
    const erased = await consenting("slettet");
    await erasePerson(t.db, erased.id);
    const r = await resolved(t.db, {}, [
      { kind: "addresses", addresses: [{ email: erased.email!.toUpperCase() }, { email: email("fersk") }] },
    ]);
    expect(r.rows.map((row) => [row.status, row.blockReason])).toEqual([
      ["blocked", "blocked-address"],
      ["eligible", null],
    ]);
  });
});
