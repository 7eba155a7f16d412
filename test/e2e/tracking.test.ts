// Tracked links and opens end to end: a mailing goes through a real server's send worker to the SMTP sink, and the
// links and pixel taken from the received messages are requested over HTTP like a mail client would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import {
  type ApiClient,
  request,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";
import { type SinkMessage, type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const CONTENT = `<html><body>
<p>Hei [[customer.firstname]]!</p>
<p><a class="knapp" href="https://fjordlys.example/tilbud?kampanje=host">Se tilbudet</a></p>
<p><a href="https://fjordlys.example/min-side?navn=[[customer.firstname]]">Din side</a></p>
<p><a href="mailto:post@fjordlys.example">Skriv til oss</a> <a href="tel:+4722334455">Ring</a></p>
<p><a href="[[link.unsubscribe]]">Meld deg av</a></p>
</body></html>`;

type Stats = {
  sent: number;
  delivered: number;
  opened: { unique: number; total: number; flagged: number };
  clicked: { unique: number; total: number; flagged: number };
  rates: { open: number | null; clickThrough: number | null };
  timeline: { hours: Array<{ hour: string; opened: number; clicked: number }>; peakHour: string | null };
  links: Array<{ id: number; url: string; clicks: number; uniqueClickers: number; flaggedClicks: number }>;
};

const hrefs = (message: SinkMessage) =>
  [...String(message.parsed!.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
const pixelOf = (message: SinkMessage) =>
  /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(String(message.parsed!.html))?.[1];
/** Moves a mailing's clicks 10 s into the past: the next click is no longer part of a burst with them. */
async function ageClicks(db: Db, mailingId: number): Promise<void> {
  const past = new Date(Date.now() - 10_000).toISOString();
  await db
    .updateTable("link_clickers")
    .set({ first_at: past, last_at: past })
    .where("link_id", "in", (eb) =>
      eb.selectFrom("tracked_links").select("id").where("mailing_id", "=", mailingId),
    )
    .execute();
}

const HUMAN =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130 Safari/537.36";

describe.each(await testDialects())("tracking on %s", (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let admin: ApiClient;
  let db: Db;
  let mailingId: number;
  let messages: SinkMessage[];
  const path = (url: string) => url.slice(server.url.length);

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    sink = await startSmtpSink();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    db = server.server.handle.db;
    const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
    const kari = await aPerson(db, { firstName: "Kari & Co", email: "kari@mottaker.example" });
    const ola = await aPerson(db, { firstName: "Ola", email: "ola@mottaker.example" });
    const mailing = await aReadyMailing(db, setup, [kari.id, ola.id], {
      content: CONTENT,
      utmSource: "nyhetsbrev",
      utmCampaign: "host-2026",
    });
    mailingId = mailing.id;
    const sent = await admin.send("POST", `/api/mailings/${mailingId}/send`);
    expect(sent.status).toBe(200);
    // Kari's first, whatever order the connections delivered in: tests below read messages[0] as hers.
    messages = (await sink.waitFor(2, 15_000)).sort((a, b) =>
      a.envelope.to[0]!.localeCompare(b.envelope.to[0]!),
    );
    await untilFinished(admin, mailingId);
    // As if the messages went out a minute ago: clicks seconds after sending are a scanner's, not a reader's.
    await db
      .updateTable("deliveries")
      .set({ sent_at: new Date(Date.now() - 60_000).toISOString() })
      .where("mailing_id", "=", mailingId)
      .execute();
  }, 60_000);

  afterAll(async () => {
    await sink?.close();
    await server?.close();
  });

  it("rewrites only the web links' href, and never mailto:, tel: or the unsubscribe link", () => {
    const links = hrefs(messages[0]!);
    const tracked = links.filter((h) => h.includes("/t/c/"));
    expect(tracked).toHaveLength(2);
    expect(links).toContain("mailto:post@fjordlys.example");
    expect(links).toContain("tel:+4722334455");
    expect(links.some((h) => h.includes("/u/"))).toBe(true);
    expect(String(messages[0]!.parsed!.html)).toContain('class="knapp"');
    // Each recipient has their own tokens.
    const other = hrefs(messages[1]!).filter((h) => h.includes("/t/c/"));
    expect(other[0]).not.toBe(tracked[0]);
    // The text part keeps the real address.
    expect(messages[0]!.parsed!.text).toContain("https://fjordlys.example/tilbud?kampanje=host");
  });

  it("redirects a click to the stored URL with UTM tags, rendering merge fields for the recipient", async () => {
    const kari = messages.find((m) => m.envelope.to[0] === "kari@mottaker.example")!;
    const [offer, ownPage] = hrefs(kari).filter((h) => h.includes("/t/c/"));
    const click = await request(server.url, "GET", path(offer!), { headers: { "user-agent": HUMAN } });
    expect(click.status).toBe(302);
    const target = new URL(click.headers.get("location")!);
    expect(target.origin + target.pathname).toBe("https://fjordlys.example/tilbud");
    expect(target.searchParams.get("kampanje")).toBe("host");
    expect(target.searchParams.get("utm_medium")).toBe("email");
    expect(target.searchParams.get("utm_source")).toBe("nyhetsbrev");
    expect(target.searchParams.get("utm_campaign")).toBe("host-2026");
    // A reader, not a scanner: the second link a while after the first (both within 2 s is a machine's burst).
    await ageClicks(db, mailingId);
    const personal = await request(server.url, "GET", path(ownPage!), { headers: { "user-agent": HUMAN } });
    // "Kari & Co" stays one value: the & is encoded, not a new parameter.
    expect(new URL(personal.headers.get("location")!).searchParams.get("navn")).toBe("Kari & Co");
  });

  it("refuses forged, truncated and unknown tokens with a plain 404 and records nothing", async () => {
    const [offer] = hrefs(messages[0]!).filter((h) => h.includes("/t/c/"));
    const token = offer!.split("/t/c/")[1]!;
    const before = await db.selectFrom("events").select("id").execute();
    const tries = [
      `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
      token.slice(0, 10),
      token.replace(/-[0-9a-z]+\./, "-zz."),
      "nothing",
      encodeURIComponent("https://evil.example/"),
    ];
    for (const t of tries) {
      const response = await request(server.url, "GET", `/t/c/${t}`);
      expect(response.status, t).toBe(404);
      expect(response.headers.get("location")).toBeNull();
    }
    // An open redirect attempt through the query string is ignored: the target is the stored one.
    await ageClicks(db, mailingId);
    const withQuery = await request(server.url, "GET", `${path(offer!)}?url=https://evil.example/`, {
      headers: { "user-agent": HUMAN },
    });
    expect(new URL(withQuery.headers.get("location")!).hostname).toBe("fjordlys.example");
    const after = await db.selectFrom("events").select("id").execute();
    expect(after.length).toBe(before.length + 1);
  });

  it("counts opens from the pixel, a click as an open, and keeps machines apart", async () => {
    const ola = messages.find((m) => m.envelope.to[0] === "ola@mottaker.example")!;
    const pixel = pixelOf(ola)!;
    expect(pixel).toMatch(/\/t\/o\/.+\.gif$/);
    const first = await request(server.url, "GET", path(pixel), { headers: { "user-agent": HUMAN } });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/gif");
    await request(server.url, "GET", path(pixel), { headers: { "user-agent": HUMAN } });
    // Apple's privacy proxy and a scanner: recorded, flagged, not counted as reading.
    await request(server.url, "GET", path(pixel), { headers: { "user-agent": "Mozilla/5.0" } });
    const [offer] = hrefs(ola).filter((h) => h.includes("/t/c/"));
    const scanned = await request(server.url, "GET", path(offer!), {
      headers: { "user-agent": "Mozilla/5.0 (compatible; Barracuda Sentinel)" },
    });
    expect(scanned.status).toBe(302);
    // A forged pixel answers the same GIF and counts nothing.
    const forged = await request(server.url, "GET", "/t/o/aXYZ.abcdefghijkl.gif");
    expect(forged.status).toBe(200);

    const stats = (await admin.get(`/api/mailings/${mailingId}/statistics`)).body as Stats;
    expect(stats.sent).toBe(2);
    expect(stats.delivered).toBe(2);
    // Ola opened (twice by pixel); Kari only clicked, which counts as an open.
    expect(stats.opened).toEqual({ unique: 2, total: 2, flagged: 1 });
    // Kari: two links, plus the one through the query-string test; Barracuda's click flagged.
    expect(stats.clicked).toEqual({ unique: 1, total: 3, flagged: 1 });
    expect(stats.rates.open).toBe(1);
    expect(stats.rates.clickThrough).toBe(0.5);
    const offerLink = stats.links.find((l) => l.url === "https://fjordlys.example/tilbud?kampanje=host")!;
    expect(offerLink).toMatchObject({ clicks: 2, uniqueClickers: 1, flaggedClicks: 1 });
    const hour = new Date().toISOString().slice(0, 13);
    expect(stats.timeline.hours.find((h) => h.hour === hour)).toMatchObject({ opened: 2, clicked: 3 });
    expect(stats.timeline.peakHour).toBe(hour);
  });

  it("filters recipients by what they did, and adds the clickers of a link to a new selection", async () => {
    const clicked = await admin.get(`/api/mailings/${mailingId}/follow-up?filters=clicked`);
    expect((clicked.body as { items: Array<{ email: string }> }).items.map((r) => r.email)).toEqual([
      "kari@mottaker.example",
    ]);
    const openedNotClicked = await admin.get(`/api/mailings/${mailingId}/follow-up?filters=opened,delivered`);
    expect((openedNotClicked.body as { total: number }).total).toBe(2);
    const links = (await admin.get(`/api/mailings/${mailingId}/links`)).body as Array<{
      id: number;
      url: string;
    }>;
    const offer = links.find((l) => l.url.includes("tilbud"))!;
    // Ola's only click on the offer was a scanner's: not a clicker.
    const byLink = await admin.get(`/api/mailings/${mailingId}/follow-up?linkId=${offer.id}`);
    expect((byLink.body as { total: number }).total).toBe(1);
    // The export holds exactly the filtered rows.
    const exported = await admin.get(
      `/api/mailings/${mailingId}/recipients/export?format=csv&filters=clicked`,
    );
    expect(exported.status).toBe(200);
    const lines = String(exported.body).trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("kari@mottaker.example");
    const badExport = await admin.get(`/api/mailings/${mailingId}/recipients/export?format=csv&filters=nope`);
    expect(badExport.status).toBe(400);
    const bad = await admin.get(`/api/mailings/${mailingId}/follow-up?filters=opened,read-it`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("read-it");

    const added = await admin.send("POST", `/api/mailings/${mailingId}/follow-up/add-to`, {
      linkId: offer.id,
      newSelectionName: "Klikket på tilbudet",
    });
    expect(added.status).toBe(200);
    const { selectionId, added: n } = added.body as { selectionId: number; added: number };
    expect(n).toBe(1);
    const members = await admin.get(`/api/selections/${selectionId}/members`);
    expect(JSON.stringify(members.body)).toContain("kari@mottaker.example");
    expect(JSON.stringify(members.body)).not.toContain("ola@mottaker.example");
  });

  it("runs a link's action for the first real click only", async () => {
    const links = (await admin.get(`/api/mailings/${mailingId}/links`)).body as Array<{
      id: number;
      url: string;
    }>;
    const ownPage = links.find((l) => l.url.includes("min-side"))!;
    const project = await admin.send("POST", "/api/projects", { name: "Interesserte" });
    expect(project.status).toBe(201);
    const projectId = (project.body as { id: number }).id;
    const set = await admin.send("PUT", `/api/mailings/${mailingId}/links/${ownPage.id}/action`, {
      action: { kind: "add-to-project", refId: projectId },
    });
    expect(set.status).toBe(204);
    const missing = await admin.send("PUT", `/api/mailings/${mailingId}/links/${ownPage.id}/action`, {
      action: { kind: "add-to-project", refId: 999_999 },
    });
    expect(missing.status).toBe(400);
    const ola = messages.find((m) => m.envelope.to[0] === "ola@mottaker.example")!;
    const [, olaOwnPage] = hrefs(ola).filter((h) => h.includes("/t/c/"));
    await ageClicks(db, mailingId);
    await request(server.url, "GET", path(olaOwnPage!), { headers: { "user-agent": HUMAN } });
    const members = await admin.get(`/api/projects/${projectId}/members`);
    expect(JSON.stringify(members.body)).toContain("ola@mottaker.example");
    expect(JSON.stringify(members.body)).not.toContain("kari@mottaker.example");
  });

  it("counts both links of a two-link mailing clicked within 2 s as a machine's burst, not two readers' clicks", {
    timeout: 60_000,
  }, async () => {
    const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
    const per = await aPerson(db, { firstName: "Per", email: "per@mottaker.example" });
    const mailing = await aReadyMailing(db, setup, [per.id], { content: CONTENT });
    const before = sink.messages.length;
    expect((await admin.send("POST", `/api/mailings/${mailing.id}/send`)).status).toBe(200);
    const [message] = (await sink.waitFor(before + 1, 15_000)).slice(before);
    await untilFinished(admin, mailing.id);
    await db
      .updateTable("deliveries")
      .set({ sent_at: new Date(Date.now() - 60_000).toISOString() })
      .where("mailing_id", "=", mailing.id)
      .execute();
    const [offer, ownPage] = hrefs(message!).filter((h) => h.includes("/t/c/"));
    for (const link of [offer!, ownPage!])
      expect(
        (await request(server.url, "GET", path(link), { headers: { "user-agent": HUMAN } })).status,
      ).toBe(302);
    const stats = (await admin.get(`/api/mailings/${mailing.id}/statistics`)).body as Stats;
    // The first click was counted before the burst could be seen; the one that completes it is a machine's.
    expect(stats.clicked).toEqual({ unique: 1, total: 1, flagged: 1 });
    expect(stats.links.find((l) => l.url.includes("min-side"))).toMatchObject({
      clicks: 0,
      flaggedClicks: 1,
    });
  });
});
