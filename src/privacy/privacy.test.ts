// Export, erasure and the suppression list on every database, with a person who has everything: consents,
// subscriptions, interests, custom fields, memberships, an import, and deliveries of two mailings with opens, clicks
// and a bounce.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup, CONTENT, sendUntilFinished } from "../../test/helpers/mailings.ts";
import { processInbound, readBounceSettings, storeInbound } from "../bounces/inbound.ts";
import type { Db } from "../db/connect.ts";
import { blockAddress, blockCauseOf } from "../deliveries/blocks.ts";
import { keyringFromSecret, signDeliveryToken, signLinkToken } from "../deliveries/tokens.ts";
import { generateNextDocument } from "../documents/generate.ts";
import { importPersons } from "../imports/import-persons.ts";
import { addSource, resolveRecipients } from "../mailings/recipients.ts";
import { createMailing } from "../mailings/store.ts";
import { createCustomField, createSubscriptionType } from "../persons/catalogue.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import { addProjectMembers, createProject } from "../projects/store.ts";
import { addSelectionMembers, createSelection } from "../selections/store.ts";
import { beginSending } from "../send/planner.ts";
import { recordClick, recordOpen } from "../track/record.ts";
import { mailingStatistics } from "../track/stats.ts";
import { erasePerson, erasurePlan } from "./erase.ts";
import { renderExportHtml } from "./export-html.ts";
import { exportParts, exportPerson, exportPersonJson } from "./person-data.ts";
import { checkAddress, clearSuppression, countSuppressions } from "./suppression.ts";

const keys = keyringFromSecret("privacy-test-secret");
const LINKED = CONTENT.replace(
  "</body>",
  '<p><a href="https://fjordlys.example/tilbud">Tilbud</a></p></body>',
);

function csv(rows: string[][]): { buffer: Buffer } {
  return { buffer: Buffer.from(rows.map((r) => r.join(";")).join("\r\n"), "utf8") };
}

/** Every text (and binary) column of every table, and the rows where one holds any of the needles. */
async function scanForValues(t: TestDb, needles: string[]): Promise<string[]> {
  const db = t.db as Db;
  const columns: Array<{ table: string; column: string; binary: boolean }> = [];
  if (t.dialect === "sqlite") {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
      db,
    );
    for (const { name } of tables.rows) {
      const info = await sql<{
        name: string;
        type: string;
      }>`select name, type from pragma_table_info(${name})`.execute(db);
      for (const c of info.rows) {
        const type = c.type.toLowerCase();
        if (type === "" || type.includes("text") || type.includes("char") || type.includes("blob"))
          columns.push({ table: name, column: c.name, binary: type.includes("blob") });
      }
    }
  } else {
    const info = await sql<{ table_name: string; column_name: string; data_type: string }>`
      select table_name, column_name, data_type from information_schema.columns
      where table_schema = ${t.schema} and data_type in ('text', 'character varying', 'bytea', 'json', 'jsonb')`.execute(
      db,
    );
    for (const c of info.rows)
      columns.push({ table: c.table_name, column: c.column_name, binary: c.data_type === "bytea" });
  }
  expect(columns.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const { table, column, binary } of columns)
    for (const needle of needles) {
      const pattern = `%${needle.toLowerCase()}%`;
      const value =
        t.dialect === "sqlite"
          ? sql`lower(cast(${sql.ref(column)} as text))`
          : binary
            ? sql`lower(convert_from(${sql.ref(column)}, 'UTF8'))`
            : sql`lower(${sql.ref(column)}::text)`;
      const hit = await sql<{
        n: number | string;
      }>`select count(*) as n from ${sql.table(table)} where ${value} like ${pattern}`.execute(db);
      if (Number(hit.rows[0]?.n ?? 0) > 0) found.push(`${table}.${column} holds ${needle}`);
    }
  return found;
}

describe.each(await testDialects())(
  "a person's data: export, erasure, suppression (SPEC §11) on %s",
  (dialect) => {
    let t: TestDb;
    let db: Db;
    const email = `ingeborg.quistgaard.${dialect}@fjordpost.example`;
    const firstName = "Ingeborg";
    const lastName = "Quistgaard";
    const mobile = "+4791734562";
    const phone = "+4722334455";
    let personId: number;
    let mailingIds: number[];
    let exported: Awaited<ReturnType<typeof exportPerson>>;

    beforeAll(async () => {
      t = await freshDatabase(dialect);
      db = t.db;
      await createCustomField(db, { key: "skostorrelse", label: "Skostørrelse", type: "text" });
      const person = await aPerson(db, {
        firstName,
        lastName,
        email,
        mobile,
        phone,
        language: "nb",
        interests: ["Seiling"],
        customFields: { skostorrelse: "39 (Ingeborgs)" },
      });
      personId = person.id;
      await recordConsent(db, personId, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
      const type = await createSubscriptionType(db, { name: "Månedsbrev" });
      await setSubscription(db, personId, { typeId: type.id, status: "subscribed", source: "form" });
      const selection = await createSelection(db, { name: "Kunder i Bergen", kind: "static" });
      await addSelectionMembers(db, selection.id, [personId]);
      const project = await createProject(db, { name: "Båtmessa" });
      await addProjectMembers(db, project.id, [personId]);
      await importPersons(
        { db, dialect },
        csv([
          ["E-post", "Fornavn", "Etternavn"],
          [email, firstName, lastName],
        ]),
        {
          attestation: { legalBasis: "consent", source: "påmeldingsliste, båtmessa 2026" },
          defaultCountry: "NO",
        },
      );

      const setup = await aSendingSetup(db);
      mailingIds = [];
      for (const name of ["Vårbrev", "Sommerbrev"]) {
        const mailing = await aReadyMailing(db, setup, [personId], { name, content: LINKED });
        await beginSending(db, mailing.id);
        await sendUntilFinished(db, dialect, keys, mailing.id);
        mailingIds.push(mailing.id);
      }
      const deliveries = await db
        .selectFrom("deliveries")
        .select(["id", "mailing_id"])
        .where("person_id", "=", personId)
        .orderBy("id")
        .execute();
      expect(deliveries).toHaveLength(2);
      // An hour after sending, so that the click is a person's and not a scanner's.
      const meta = {
        ip: "203.0.113.0",
        userAgent: "Mozilla/5.0 (Ingeborgs iPhone)",
        now: new Date(Date.now() + 3_600_000),
      };
      for (const d of deliveries) {
        await recordOpen(db, keys, signDeliveryToken(keys, "open", d.id), meta);
        const link = await db
          .selectFrom("tracked_links")
          .select("id")
          .where("mailing_id", "=", d.mailing_id)
          .where("url", "like", "https://fjordlys.example/%")
          .executeTakeFirstOrThrow();
        expect(await recordClick(db, keys, signLinkToken(keys, d.id, link.id), meta)).toContain(
          "fjordlys.example",
        );
      }
      const bounced = deliveries[1]!;
      const verp = signDeliveryToken(keys, "verp", bounced.id);
      const dsn = [
        "From: Mail Delivery System <MAILER-DAEMON@mx.fjordpost.example>",
        `To: bounces+${verp}@bounces.firma.example`,
        "Subject: Undelivered Mail Returned to Sender",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        "",
        "--B",
        "Content-Type: text/plain",
        "",
        `Your message to ${firstName} ${lastName} could not be delivered.`,
        "--B",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.fjordpost.example",
        "",
        `Final-Recipient: rfc822; ${email}`,
        "Action: failed",
        "Status: 5.1.1",
        `Diagnostic-Code: smtp; 550 5.1.1 <${email}>: mailbox full of ${lastName}'s old mail`,
        "",
        "--B--",
        "",
      ].join("\r\n");
      const inbound = await storeInbound(db, {
        envelopeFrom: "",
        recipient: `bounces+${verp}@bounces.firma.example`,
        route: "verp",
        raw: Buffer.from(dsn),
      });
      await processInbound(db, keys, inbound, await readBounceSettings(db));
      // A letter of a document mailing, generated: its delivery and recipient row hold the postal address.
      await db
        .updateTable("persons")
        .set({ street: "Ingeborgveien 12", postcode: "5003", city: "Bergen" })
        .where("id", "=", personId)
        .execute();
      const letter = await createMailing(db, { name: "Brev", type: "document", content: "<p>Hei</p>" }, null);
      await addSource(db, letter.id, { kind: "person", refId: personId });
      await resolveRecipients(db, letter.id);
      await beginSending(db, letter.id);
      const dataDir = mkdtempSync(join(tmpdir(), "utsend-privacy-"));
      await generateNextDocument({ db, dataDir, owner: "privacy-test", leaseMs: 60_000 });
      rmSync(dataDir, { recursive: true, force: true });
      const generated = await db
        .selectFrom("deliveries")
        .select(["status", "address"])
        .where("mailing_id", "=", letter.id)
        .executeTakeFirstOrThrow();
      expect(generated.status).toBe("generated");
      expect(generated.address).toContain("Ingeborgveien 12");
      exported = await exportPerson(db, personId);
    });
    afterAll(async () => t.dispose());

    it("exports every item the person has: fields, addresses, consents with history, memberships, deliveries with events, the import", () => {
      expect(exported).toMatchObject({
        format: "utsend-person-export",
        version: 1,
        person: { id: personId, firstName, lastName, mobile, phone, language: "nb" },
        emails: [{ address: email, primary: true }],
        interests: ["Seiling"],
        customFields: [{ key: "skostorrelse", label: "Skostørrelse", value: "39 (Ingeborgs)" }],
        consents: [{ purpose: "e-marketing", legalBasis: "consent" }],
        subscriptions: [{ type: "Månedsbrev", status: "subscribed" }],
        selections: [{ name: "Kunder i Bergen" }],
        projects: [{ name: "Båtmessa" }],
      });
      expect(
        exported.consentHistory.map((h) => [h.purpose ?? h.subscriptionType, h.change, h.source]),
      ).toEqual([
        ["e-marketing", "consent", "form"],
        ["Månedsbrev", "subscribed", "form"],
        ["e-marketing", "consent", "import"],
      ]);
      expect(exported.imports.personImports).toEqual([
        expect.objectContaining({ attestation: "påmeldingsliste, båtmessa 2026", legalBasis: "consent" }),
      ]);
      expect(exported.deliveries.map((d) => [d.mailing.name, d.status])).toEqual([
        ["Vårbrev", "sent"],
        ["Sommerbrev", "bounced"],
        ["Brev", "generated"],
      ]);
      expect(exported.person.postalAddress).toEqual({
        street: "Ingeborgveien 12",
        postcode: "5003",
        city: "Bergen",
        country: null,
      });
      expect(exported.deliveries[2]!.address).toContain("Ingeborgveien 12");
      for (const d of exported.deliveries.slice(0, 2)) {
        expect(d.address).toBe(email);
        const kinds = d.events.map((e) => e.kind);
        expect(kinds).toEqual(expect.arrayContaining(["sent", "opened", "clicked"]));
        expect(d.events.find((e) => e.kind === "clicked")?.link).toBe("https://fjordlys.example/tilbud");
      }
      expect(exported.deliveries[1]!.events.map((e) => e.kind)).toContain("bounced");
      expect(exported.recipientRows).toHaveLength(3);
    });

    it("streams the same export as JSON text, page by page", async () => {
      let text = "";
      const parts = await exportParts(db, personId, new Date(exported.exportedAt), 1);
      for await (const chunk of exportPersonJson(parts)) text += chunk;
      expect(JSON.parse(text)).toEqual(exported);
      let empty = "";
      const nobody = await aPerson(db, { email: "" });
      for await (const chunk of exportPersonJson(await exportParts(db, nobody.id))) empty += chunk;
      expect(JSON.parse(empty)).toMatchObject({ person: { id: nobody.id }, deliveries: [] });
    });

    it("renders the export as a page in the person's language, with every value escaped", () => {
      const html = renderExportHtml({
        ...exported,
        person: { ...exported.person, fullName: `${firstName} <script>alert(1)</script>` },
      });
      expect(html).toContain('<html lang="nb">');
      expect(html).toContain("Dine opplysninger");
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(html).not.toContain("<script>");
      expect(html).toContain(email);
      expect(html).toContain("Sommerbrev");
      const english = renderExportHtml({ ...exported, person: { ...exported.person, language: "en" } });
      expect(english).toContain("Your data");
    });

    it("erases the person: no name, address or phone left in any text column of any table; statistics unchanged", async () => {
      const before = await Promise.all(mailingIds.map((id) => mailingStatistics(db, id)));
      const needles = [
        firstName,
        lastName,
        email,
        mobile,
        phone,
        "Ingeborgs",
        "Ingeborgveien",
        "203.0.113.0",
      ];
      expect((await scanForValues(t, needles)).length).toBeGreaterThan(0);
      const plan = await erasurePlan(db, personId);
      expect(plan).toMatchObject({ emails: 1, deliveries: 3, selections: 1, projects: 1, consentHistory: 3 });
      expect(await erasePerson(db, personId)).toEqual(plan);

      expect(await scanForValues(t, needles)).toEqual([]);
      const after = await Promise.all(mailingIds.map((id) => mailingStatistics(db, id)));
      expect(after).toEqual(before);
      expect(before[1]!.bounced.hard).toBe(1);
      expect(before[0]!.opened.unique).toBe(1);
      expect(before[0]!.clicked.unique).toBe(1);
      const deliveries = await db.selectFrom("deliveries").select(["id", "address", "person_id"]).execute();
      expect(deliveries.map((d) => d.address)).toEqual(deliveries.map((d) => `erased-${d.id}@invalid`));
      expect(await checkAddress(db, email.toUpperCase())).toMatchObject({ reason: "erased" });
      expect(await checkAddress(db, mobile)).toMatchObject({ reason: "erased" });
    });

    it("keeps an erased address out of marketing on re-import, and lets it back with new consent and its source", async () => {
      const file = () =>
        csv([
          ["E-post", "Fornavn"],
          [email, firstName],
          [`someone.else.${dialect}@fjordpost.example`, "Else"],
        ]);
      const attestation = { legalBasis: "consent", source: "gammel påmeldingsliste" };
      const dry = await importPersons({ db, dialect }, file(), {
        attestation,
        defaultCountry: "NO",
        dryRun: true,
      });
      expect(dry).toMatchObject({ created: 2, consentRecorded: 1, consentSuppressedKept: 1 });
      const blocked = await importPersons({ db, dialect }, file(), { attestation, defaultCountry: "NO" });
      expect(blocked).toMatchObject({ created: 2, consentRecorded: 1, consentSuppressedKept: 1 });
      const back = await db
        .selectFrom("person_emails as e")
        .innerJoin("person_consents as c", "c.person_id", "e.person_id")
        .select(["e.person_id", "c.legal_basis"])
        .where("e.address_lower", "=", email)
        .executeTakeFirstOrThrow();
      expect(back.legal_basis).toBe("withdrawn");
      // The API cannot grant it either without saying it is new consent, and where it came from.
      await expect(
        recordConsent(db, back.person_id, { purpose: "e-marketing", legalBasis: "consent", source: "api" }),
      ).rejects.toMatchObject({ code: "CONSENT_SUPPRESSED" });

      const renewed = await importPersons({ db, dialect }, file(), {
        attestation: { legalBasis: "consent", source: "ny påmelding på nett, 2026-12-01", newConsent: true },
        defaultCountry: "NO",
      });
      // The person the first re-import made withdrew (as the suppression said): an import never re-grants that.
      expect(renewed).toMatchObject({ updated: 2, consentWithdrawnKept: 1, consentSuppressedKept: 0 });
      await recordConsent(db, back.person_id, {
        purpose: "e-marketing",
        legalBasis: "consent",
        source: "api",
        newConsent: true,
        comment: "ny påmelding på nett, 2026-12-01",
      });
      const consent = await db
        .selectFrom("person_consents")
        .select("legal_basis")
        .where("person_id", "=", back.person_id)
        .executeTakeFirstOrThrow();
      expect(consent.legal_basis).toBe("consent");
    });

    it("lets an import with new consent through for an address whose person no longer exists", async () => {
      const gone = await aPerson(db, { email: `borte.${dialect}@fjordpost.example` });
      await erasePerson(db, gone.id);
      const report = await importPersons(
        { db, dialect },
        csv([["E-post"], [`Borte.${dialect}@fjordpost.example`]]),
        {
          attestation: { legalBasis: "consent", source: "ny påmelding, skjema på stand", newConsent: true },
          defaultCountry: "NO",
        },
      );
      expect(report).toMatchObject({ created: 1, consentRecorded: 1, consentSuppressedKept: 0 });
      await expect(
        importPersons({ db, dialect }, csv([["E-post"], ["x@y.example"]]), {
          attestation: { legalBasis: "legitimate-interest", source: "kundeliste", newConsent: true },
          defaultCountry: "NO",
        }),
      ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    });

    it("leaves another person who shares the address their own address and its block", async () => {
      const shared = `felles.${dialect}@fjordpost.example`;
      const leaving = await aPerson(db, { email: shared });
      const staying = await aPerson(db, { email: shared });
      await blockAddress(db, shared, "hard-bounce", "550 no such user", new Date().toISOString());
      await erasePerson(db, leaving.id);
      expect(await blockCauseOf(db, shared)).toBe("hard-bounce");
      expect((await exportPerson(db, staying.id)).emails).toEqual([
        expect.objectContaining({ address: shared }),
      ]);
    });

    it("puts unsubscribed-from-all and complained addresses on the list, counts it, and clears one entry", async () => {
      const leaving = await aPerson(db, { email: `slutter.${dialect}@fjordpost.example` });
      await recordConsent(db, leaving.id, {
        purpose: "e-marketing",
        legalBasis: "withdrawn",
        source: "unsubscribe-link",
      });
      expect(await checkAddress(db, `slutter.${dialect}@fjordpost.example`)).toMatchObject({
        reason: "unsubscribed",
      });
      // A complaint is recorded as a block by address (the one writer of blocks puts it on the list too).
      const complained = `klage.${dialect}@fjordpost.example`;
      await blockAddress(db, complained, "complained", "ARF abuse", new Date().toISOString());
      expect(await checkAddress(db, complained.toUpperCase())).toMatchObject({ reason: "complained" });
      // A later unsubscribe does not weaken a stronger reason.
      await blockAddress(db, complained, "unsubscribed", "page", new Date().toISOString());
      expect(await checkAddress(db, complained)).toMatchObject({ reason: "complained" });
      const counts = await countSuppressions(db);
      expect(counts.byReason).toMatchObject({ unsubscribed: 1, complained: 1 });
      expect(counts.byReason.erased).toBeGreaterThanOrEqual(3);
      expect(await clearSuppression(db, `slutter.${dialect}@fjordpost.example`)).toMatchObject({
        reason: "unsubscribed",
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(await checkAddress(db, `slutter.${dialect}@fjordpost.example`)).toBeNull();
      expect(await clearSuppression(db, `slutter.${dialect}@fjordpost.example`)).toBeNull();
    });
  },
);
