// The manage-subscriptions page as a recipient uses it: the /s/ link taken from a message the SMTP sink received,
// against a running server on each database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createSubscriptionType } from "../../src/persons/catalogue.ts";
import { setSubscription } from "../../src/persons/consent.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { request, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const CONTENT = `<p>Hei [[customer.firstname | default: "venn"]]</p>
<p><a href="[[link.subscriptions]]">Abonnementer</a> <a href="[[link.unsubscribe]]">Meld av</a></p>`;

type Form = Record<string, string>;
const post = (server: TestServer, path: string, form: Form) =>
  request(server.url, "POST", path, {
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
  });

describe.each(await testDialects())("the manage-subscriptions page on %s", (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let db: Db;
  let mailingId: number;
  const type: Record<"news" | "events" | "courses", number> = { news: 0, events: 0, courses: 0 };
  const person: Record<"kari" | "emma", number> = { kari: 0, emma: 0 };
  const link: Record<"kari" | "emma" | "imported", string> = { kari: "", emma: "", imported: "" };
  let kariUnsubscribe = "";

  const history = (personId: number) =>
    db
      .selectFrom("consent_history")
      .select(["subscription_type_id", "purpose_id", "change", "source", "comment"])
      .where("person_id", "=", personId)
      .orderBy("id")
      .execute();
  const statuses = async (personId: number) =>
    Object.fromEntries(
      (
        await db
          .selectFrom("person_subscriptions")
          .select(["type_id", "status"])
          .where("person_id", "=", personId)
          .execute()
      ).map((r) => [r.type_id, r.status]),
    );
  const unsubscribeEvents = async (email: string) =>
    (
      await db
        .selectFrom("events as ev")
        .innerJoin("deliveries as d", "d.id", "ev.delivery_id")
        .select("ev.detail")
        .where("d.address", "=", email)
        .where("ev.kind", "=", "unsubscribed")
        .execute()
    ).map((e) => e.detail);

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ dialect });
    db = server.server.handle.db;
    type.news = (await createSubscriptionType(db, { name: "Nyhetsbrev", description: "Hver måned" })).id;
    type.events = (await createSubscriptionType(db, { name: "Invitasjoner" })).id;
    type.courses = (await createSubscriptionType(db, { name: "Kurs & <b>seminar</b>" })).id;
    person.kari = (await aPerson(db, { firstName: "Kari", email: "kari@example.no", language: "nb" })).id;
    person.emma = (await aPerson(db, { firstName: "Emma", email: "emma@example.com", language: "en" })).id;
    for (const typeId of [type.news, type.events])
      await setSubscription(db, person.kari, { typeId, status: "subscribed", source: "form" });
    await setSubscription(db, person.emma, { typeId: type.news, status: "subscribed", source: "form" });

    const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
    const mailing = await aReadyMailing(db, setup, [person.kari, person.emma], {
      content: CONTENT,
      subscriptionTypeId: type.news,
    });
    mailingId = mailing.id;
    await addSource(db, mailingId, { kind: "addresses", addresses: [{ email: "importert@example.org" }] });
    await resolveRecipients(db, mailingId);
    const admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const started = await admin.send("POST", `/api/mailings/${mailingId}/send`);
    expect(started.status).toBe(200);
    const received = await sink.waitFor(3, 20_000);
    for (const message of received) {
      const href = /href="([^"]*\/s\/[^"]+)"/.exec(message.parsed!.html ?? "")![1]!;
      const path = new URL(href).pathname;
      const to = message.envelope.to[0]!;
      link[to.startsWith("kari") ? "kari" : to.startsWith("emma") ? "emma" : "imported"] = path;
      if (to.startsWith("kari"))
        kariUnsubscribe = new URL(/href="([^"]*\/u\/[^"]+)"/.exec(message.parsed!.html ?? "")![1]!).pathname;
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it("shows every subscription type with the person's status, in Norwegian, and a GET changes nothing", async () => {
    const before = await history(person.kari);
    const page = await request(server.url, "GET", link.kari);
    expect(page.status).toBe(200);
    const html = String(page.body);
    expect(html).toContain('<html lang="nb">');
    expect(html).toContain("Dine abonnementer");
    expect(html).toContain("kari@example.no");
    expect(html).toMatch(new RegExp(`name="type-${type.news}" checked`));
    expect(html).toMatch(new RegExp(`name="type-${type.events}" checked`));
    expect(html).toMatch(new RegExp(`name="type-${type.courses}">`));
    expect(html).toContain("Kurs &#38; &#60;b&#62;seminar&#60;/b&#62;");
    expect(html).toContain("Hver måned");
    expect(html).toContain('name="all-marketing"');
    expect(html).toContain("Meld meg av all markedsføring på e-post");
    expect(page.headers.get("cache-control")).toBe("no-store");
    await request(server.url, "GET", link.kari);
    expect(await history(person.kari)).toEqual(before);
    expect(await unsubscribeEvents("kari@example.no")).toEqual([]);
  });

  it("speaks English to a person whose language is English", async () => {
    const html = String((await request(server.url, "GET", link.emma)).body);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Your subscriptions");
    expect(html).toContain("Unsubscribe from all marketing e-mail");
  });

  it("saves exactly the changed types to the consent history and counts leaving the mailing's type once", async () => {
    const before = (await history(person.kari)).length;
    const shown = [type.news, type.events, type.courses].join(",");
    // Untick the newsletter (the mailing's type), keep invitations, tick courses.
    const saved = await post(server, link.kari, {
      shown,
      [`type-${type.events}`]: "on",
      [`type-${type.courses}`]: "on",
    });
    expect(saved.status).toBe(200);
    expect(String(saved.body)).toContain("Valgene dine er lagret.");
    expect(String(saved.body)).toMatch(new RegExp(`name="type-${type.courses}" checked`));
    expect(await statuses(person.kari)).toEqual({
      [type.news]: "unsubscribed",
      [type.events]: "subscribed",
      [type.courses]: "subscribed",
    });
    const written = (await history(person.kari)).slice(before);
    expect(written).toEqual([
      {
        subscription_type_id: type.news,
        purpose_id: null,
        change: "unsubscribed",
        source: "unsubscribe-link",
        comment: `manage-subscriptions page, mailing ${mailingId}`,
      },
      expect.objectContaining({ subscription_type_id: type.courses, change: "subscribed" }),
    ]);
    expect(await unsubscribeEvents("kari@example.no")).toEqual(["subscriptions-page"]);

    // The same form again changes nothing; taking the newsletter back is the person's own choice to make.
    await post(server, link.kari, { shown, [`type-${type.events}`]: "on", [`type-${type.courses}`]: "on" });
    expect((await history(person.kari)).length).toBe(before + 2);
    await post(server, link.kari, {
      shown,
      [`type-${type.news}`]: "on",
      [`type-${type.events}`]: "on",
      [`type-${type.courses}`]: "on",
    });
    expect((await statuses(person.kari))[type.news]).toBe("subscribed");
    await post(server, link.kari, { shown, [`type-${type.events}`]: "on" });
    expect((await history(person.kari)).length).toBe(before + 5);
    expect(await unsubscribeEvents("kari@example.no")).toEqual(["subscriptions-page"]);
  });

  it("ignores a post that does not say which types were on the page", async () => {
    const before = await history(person.kari);
    const response = await post(server, link.kari, {});
    expect(response.status).toBe(200);
    expect(await history(person.kari)).toEqual(before);
  });

  it("withdraws e-marketing consent and every subscription when the person leaves all marketing", async () => {
    const response = await post(server, link.emma, {
      shown: [type.news, type.events, type.courses].join(","),
      [`type-${type.news}`]: "on",
      "all-marketing": "on",
    });
    expect(String(response.body)).toContain("You receive no marketing e-mail from us.");
    expect((await statuses(person.emma))[type.news]).toBe("unsubscribed");
    const consent = await db
      .selectFrom("person_consents as pc")
      .innerJoin("consent_purposes as cp", "cp.id", "pc.purpose_id")
      .select(["pc.legal_basis", "pc.source"])
      .where("pc.person_id", "=", person.emma)
      .where("cp.key", "=", "e-marketing")
      .executeTakeFirst();
    expect(consent).toEqual({ legal_basis: "withdrawn", source: "unsubscribe-link" });
    expect((await history(person.emma)).filter((h) => h.source === "unsubscribe-link")).toHaveLength(2);
    expect(await unsubscribeEvents("emma@example.com")).toEqual(["subscriptions-page"]);
    const page = String((await request(server.url, "GET", link.emma)).body);
    expect(page).not.toContain('name="all-marketing"');
  });

  it("offers a recipient without a CRM record only the all-marketing choice, and blocks the address", async () => {
    const page = String((await request(server.url, "GET", link.imported)).body);
    expect(page).not.toContain('name="type-');
    expect(page).toContain('name="all-marketing"');
    const blocked = () =>
      db
        .selectFrom("address_blocks")
        .select(["blocked", "reason"])
        .where("address_lower", "=", "importert@example.org")
        .executeTakeFirst();
    await post(server, link.imported, { shown: "" });
    expect(await blocked()).toBeUndefined();
    await post(server, link.imported, { shown: "", "all-marketing": "on" });
    await post(server, link.imported, { shown: "", "all-marketing": "on" });
    expect(await blocked()).toEqual({ blocked: 1, reason: "unsubscribed" });
    expect(await unsubscribeEvents("importert@example.org")).toEqual(["subscriptions-page"]);
  });

  it("answers a forged or garbled link with the 404 page and changes nothing", async () => {
    const before = await history(person.kari);
    const forged = `${link.kari.slice(0, -2)}${link.kari.endsWith("xx") ? "yy" : "xx"}`;
    for (const path of [forged, link.kari.slice(0, -5), "/s/not-a-token"]) {
      const page = await request(server.url, "GET", path);
      expect(page.status).toBe(404);
      expect(String(page.body)).toContain("Lenken er ugyldig.");
      const posted = await post(server, path, { shown: String(type.news), "all-marketing": "on" });
      expect(posted.status).toBe(404);
    }
    expect(await history(person.kari)).toEqual(before);
  });

  it("unsubscribes again after the person subscribed again, by the page and by one-click, counting once", async () => {
    const shown = [type.news, type.events, type.courses].join(",");
    const resubscribe = async () => {
      await post(server, link.kari, { shown, [`type-${type.news}`]: "on", [`type-${type.events}`]: "on" });
      expect((await statuses(person.kari))[type.news]).toBe("subscribed");
    };
    const unsubscribeHistory = async () =>
      (await history(person.kari)).filter(
        (h) => h.subscription_type_id === type.news && h.change === "unsubscribed",
      );

    await resubscribe();
    const offered = String((await request(server.url, "GET", kariUnsubscribe)).body);
    expect(offered).toContain('<form method="post">');
    const before = (await unsubscribeHistory()).length;
    const byPage = await request(server.url, "POST", kariUnsubscribe, { headers: { accept: "text/html" } });
    expect(byPage.status).toBe(200);
    expect((await statuses(person.kari))[type.news]).toBe("unsubscribed");
    expect((await unsubscribeHistory()).at(-1)?.comment).toBe(`mailing ${mailingId} (unsubscribe page)`);
    const done = String((await request(server.url, "GET", kariUnsubscribe)).body);
    expect(done).not.toContain("<form");

    await resubscribe();
    const oneClick = await request(server.url, "POST", kariUnsubscribe, {
      body: "List-Unsubscribe=One-Click",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(oneClick.status).toBe(200);
    expect((await statuses(person.kari))[type.news]).toBe("unsubscribed");
    expect((await unsubscribeHistory()).length).toBe(before + 2);
    expect((await unsubscribeHistory()).at(-1)?.comment).toBe(
      `mailing ${mailingId} (one-click from the mail client)`,
    );
    // A repeat while unsubscribed changes nothing, and the mailing's statistics count the delivery once.
    await request(server.url, "POST", kariUnsubscribe, { headers: { accept: "text/html" } });
    expect((await unsubscribeHistory()).length).toBe(before + 2);
    expect(await unsubscribeEvents("kari@example.no")).toEqual(["subscriptions-page"]);
  });
});
