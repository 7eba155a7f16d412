// The demo data set loaded on first start: companies, 200 Nordic persons, consents, subscriptions, selections, projects.

import { createCompany } from "../companies/companies.ts";
import type { Db } from "../db/connect.ts";
import { resolveRecipients } from "../mailings/recipients.ts";
import { createMailing } from "../mailings/store.ts";
import { createCustomField, createSubscriptionType } from "../persons/catalogue.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import { createPerson } from "../persons/persons.ts";
import { addProjectMembers, createProject } from "../projects/store.ts";
import { addSelectionMembers, createSelection } from "../selections/store.ts";
import { createDomain, ensureOutboxAccount } from "../send/accounts.ts";
import { writeLetterhead } from "../settings/letterhead.ts";
import { COMPANIES, FIRST_NAMES, INTERESTS, LAST_NAMES } from "./names.ts";

export const DEMO_PERSON_COUNT = 200;
export const DEMO_SENDING_DOMAIN = "nyheter.utsend.example";
const DEMO_CONTENT = `<html><head><style>
  body { font-family: Arial, sans-serif; color: #1f2933; } h1 { color: #0b5394; } .knapp { background: #0b5394; color: #fff; padding: 10px 18px; text-decoration: none; border-radius: 4px; }
</style></head><body>
<h1>Hei [[customer.firstname | default: "der"]]!</h1>
<p>[% if customer.language == "en" %]You are invited to our spring conference in Bergen.[% else %]Du er invitert til Vårkonferansen i Bergen i april.[% endif %]</p>
<p>[% if company.name %]Vi håper flere fra [[company.name]] blir med.[% endif %]</p>
<p><a class="knapp" href="https://fjordlys.example/konferanse">Meld deg på</a></p>
<p style="font-size: 12px; color: #6b7280;">Du får denne e-posten fordi du abonnerer på invitasjoner fra oss.
<a href="[[link.unsubscribe]]">Meld deg av</a> · <a href="[[link.viewOnline]]">Vis i nettleser</a></p>
</body></html>`;
/** Home addresses for some people (the others' letters go to their company's address, or they get none). */
const HOMES = [
  ["Kirkeveien", "0368", "Oslo"],
  ["Nygårdsgaten", "5015", "Bergen"],
  ["Munkegata", "7011", "Trondheim"],
  ["Kongsgårdbakken", "4005", "Stavanger"],
  ["Storgata", "9008", "Tromsø"],
  ["Åsgårdveien", "3179", "Åsgårdstrand"],
] as const;
const MOBILE_PREFIXES = ["40", "41", "46", "47", "48", "90", "92", "93", "95", "97", "98", "99"];

function asciiLocal(text: string): string {
  return text
    .toLowerCase()
    .replace(/æ/g, "ae")
    .replace(/ø/g, "o")
    .replace(/å/g, "a")
    .normalize("NFD")
    .replace(/[^a-z0-9]/g, "");
}

export type DemoSummary = {
  companies: number;
  persons: number;
  selections: number;
  projects: number;
  mailings: number;
};

export async function isDemoLoaded(db: Db): Promise<boolean> {
  const flag = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", "demoLoaded")
    .executeTakeFirst();
  return flag?.value === "true";
}

/** Loads the demo set into an empty CRM; deterministic, so every laptop shows the same people. */
export async function loadDemoData(db: Db, defaultCountry: string): Promise<DemoSummary> {
  const companyIds: number[] = [];
  for (const c of COMPANIES) {
    const company = await createCompany(
      db,
      {
        name: c.name,
        orgNumber: c.orgNumber,
        street: c.street,
        postcode: c.postcode,
        city: c.city,
        country: "country" in c ? c.country : "NO",
        domain: c.domain,
        email: `post@${c.domain}`,
      },
      defaultCountry,
    );
    companyIds.push(company.id);
  }
  const newsletter = await createSubscriptionType(db, {
    name: "Månedlig nyhetsbrev",
    description: "Nyheter og tips en gang i måneden",
  });
  const events = await createSubscriptionType(db, {
    name: "Invitasjoner til arrangementer",
    description: "Kurs, webinarer og konferanser",
  });
  await createCustomField(db, { key: "kundenummer", label: "Kundenummer", type: "text" });
  await createCustomField(db, { key: "medlemSiden", label: "Medlem siden", type: "date" });

  const personIds: number[] = [];
  for (let i = 0; i < DEMO_PERSON_COUNT; i++) {
    const firstName = FIRST_NAMES[(i * 7) % FIRST_NAMES.length]!;
    const lastName = LAST_NAMES[(i * 11 + Math.floor(i / 52)) % LAST_NAMES.length]!;
    const companyIndex = i % 7;
    const company = COMPANIES[companyIndex];
    const domain = company?.domain ?? ["gmail.com", "online.no", "outlook.com"][i % 3]!;
    const hasEmail = i % 13 !== 5;
    const hasMobile = i % 9 !== 4;
    const interests = [
      INTERESTS[i % INTERESTS.length]!,
      ...(i % 4 === 0 ? [INTERESTS[(i + 2) % INTERESTS.length]!] : []),
    ];
    const person = await createPerson(
      db,
      {
        firstName,
        lastName,
        emails: hasEmail
          ? [
              { address: `${asciiLocal(firstName)}.${asciiLocal(lastName)}${i}@${domain}`, primary: true },
              ...(i % 10 === 0 ? [{ address: `${asciiLocal(firstName)}${i}@privat.no` }] : []),
            ]
          : [],
        mobile: hasMobile
          ? `${MOBILE_PREFIXES[i % MOBILE_PREFIXES.length]}${String((i * 7919) % 1_000_000).padStart(6, "0")}`
          : null,
        language: i % 5 === 0 ? "en" : "nb",
        ...(i % 4 === 2
          ? {
              street: `${HOMES[i % HOMES.length]![0]} ${1 + (i % 47)}`,
              postcode: HOMES[i % HOMES.length]![1],
              city: HOMES[i % HOMES.length]![2],
            }
          : {}),
        companyId: company ? companyIds[companyIndex]! : null,
        title: i % 6 === 0 ? "Daglig leder" : i % 6 === 1 ? "Markedssjef" : null,
        formerEmployee: i % 29 === 28,
        interests,
        customFields: {
          kundenummer: `K-${10_000 + i}`,
          medlemSiden: `20${String(10 + (i % 15))}-0${1 + (i % 9)}-15`,
        },
      },
      { defaultCountry },
    );
    personIds.push(person.id);
    if (i % 17 === 3) {
      await recordConsent(db, person.id, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
      await recordConsent(db, person.id, {
        purpose: "e-marketing",
        legalBasis: "withdrawn",
        source: "unsubscribe-link",
        comment: "Trakk tilbake samtykket",
      });
    } else if (i % 10 < 7) {
      await recordConsent(db, person.id, {
        purpose: "e-marketing",
        legalBasis: i % 10 < 5 ? "consent" : "legitimate-interest",
        source: i % 2 === 0 ? "form" : "import",
        comment: "Demodata",
      });
    }
    if (i % 3 === 0)
      await setSubscription(db, person.id, { typeId: newsletter.id, status: "subscribed", source: "form" });
    if (i % 11 === 7)
      await setSubscription(db, person.id, {
        typeId: newsletter.id,
        status: "unsubscribed",
        source: "unsubscribe-link",
      });
    if (i % 4 === 1)
      await setSubscription(db, person.id, { typeId: events.id, status: "subscribed", source: "form" });
  }

  const vip = await createSelection(db, {
    name: "VIP-kunder",
    description: "Håndplukkede kunder (statisk utvalg)",
    kind: "static",
  });
  await addSelectionMembers(
    db,
    vip.id,
    personIds.filter((_, i) => i % 10 === 2),
  );
  const dynamic = await createSelection(db, {
    name: "Samtykke i Oslo og Bergen",
    description: "Personer i firmaer i Oslo eller Bergen med aktivt e-postsamtykke (dynamisk utvalg)",
    kind: "dynamic",
    criteria: {
      match: "all",
      criteria: [
        { type: "consent", purpose: "e-marketing", state: "active" },
        {
          type: "group",
          match: "any",
          criteria: [
            { type: "field", field: "company.city", op: "eq", value: "Oslo" },
            { type: "field", field: "company.city", op: "eq", value: "Bergen" },
          ],
        },
      ],
    },
  });
  await createSelection(db, {
    name: "VIP eller Oslo/Bergen",
    description: "Unionen av de to utvalgene (kombinert utvalg)",
    kind: "combined",
    combine: { op: "union", leftId: vip.id, rightId: dynamic.id },
  });
  const conference = await createProject(db, {
    name: "Vårkonferansen 2027",
    status: "planned",
    description: "Kundekonferanse i Bergen i april",
  });
  await addProjectMembers(
    db,
    conference.id,
    personIds.filter((_, i) => i % 7 === 0),
  );
  const survey = await createProject(db, {
    name: "Kundeundersøkelse høst",
    status: "in-progress",
    description: "Oppfølging av nøkkelkunder",
  });
  await addProjectMembers(
    db,
    survey.id,
    personIds.filter((_, i) => i % 13 === 1),
  );
  // The letterhead document mailings print (Settings → Letterhead).
  await writeLetterhead(db, {
    companyName: "Fjordlys AS",
    addressLines: ["Storgata 1", "0155 Oslo"],
    country: defaultCountry,
    orgNumber: "912 345 678",
    phone: "+47 22 00 00 00",
    web: "fjordlys.example",
  });
  // A sending domain and a draft mailing, so a laptop can send through the local outbox at once.
  await ensureOutboxAccount(db);
  await createDomain(db, { domain: DEMO_SENDING_DOMAIN });
  const draft = await createMailing(
    db,
    {
      name: "Invitasjon til Vårkonferansen",
      subject: 'Velkommen til Vårkonferansen, [[customer.firstname | default: "du"]]',
      fromName: "Fjordlys",
      fromAddress: `post@${DEMO_SENDING_DOMAIN}`,
      selectionId: dynamic.id,
      subscriptionTypeId: events.id,
      goalCategory: "loyalty",
      content: DEMO_CONTENT,
    },
    null,
  );
  await resolveRecipients(db, draft.id);
  await db
    .insertInto("settings")
    .values({ key: "demoLoaded", value: "true" })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: "true" }))
    .execute();
  return { companies: COMPANIES.length, persons: DEMO_PERSON_COUNT, selections: 3, projects: 2, mailings: 1 };
}
