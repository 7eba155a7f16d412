// The marketers' bounce tools over the API against a real server whose worker sends to a real SMTP sink that refuses
// one address with 550 5.1.1: the blocked list shows it with the reply, a correction sends the mailing again to the
// new address, the block can be cleared, and the list exports.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
  waitFor,
} from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

type Page<T> = { items: T[]; total: number };
type Blocked = {
  address: string;
  reason: string;
  statusCode: string | null;
  diagnostic: string | null;
  count: number;
  persons: Array<{ id: number; fullName: string }>;
};
type Bounce = {
  deliveryId: number;
  address: string;
  kind: string;
  blocked: boolean;
  resent: boolean;
  statusCode: string | null;
};

let server: TestServer;
let admin: ApiClient;
let sink: SmtpSink;
const DOMAIN = "avvist.example";
const BAD = "finnes.ikke@example.no";
const GOOD = "kari.riktig@example.no";
let kari: number;
let ola: number;
let mailingId: number;

beforeAll(async () => {
  sink = await startSmtpSink({
    rcptReply: (address) =>
      address === BAD ? { code: 550, message: "5.1.1 <finnes.ikke@example.no>: User unknown" } : null,
  });
  server = await startTestServer();
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  await ok(admin.send("POST", "/api/sending-domains", { domain: DOMAIN }), 201);
  const account = await ok<{ id: number }>(
    admin.send("POST", "/api/sending-accounts", {
      name: "Sink",
      kind: "smtp",
      host: sink.host,
      port: sink.port,
      ratePerSecond: 100,
    }),
    201,
  );
  kari = (
    await ok<{ id: number }>(
      admin.send("POST", "/api/persons", { firstName: "Kari", lastName: "Feil", emails: [{ address: BAD }] }),
      201,
    )
  ).id;
  ola = (
    await ok<{ id: number }>(
      admin.send("POST", "/api/persons", {
        firstName: "Ola",
        lastName: "Fin",
        emails: [{ address: "ola@example.no" }],
      }),
      201,
    )
  ).id;
  const mailing = await ok<{ id: number }>(
    admin.send("POST", "/api/mailings", {
      name: "Sprett",
      subject: "Hei [[customer.firstname]]",
      fromName: "Fjordlys",
      fromAddress: `post@${DOMAIN}`,
      sendingAccountId: account.id,
      content: '<p>Hei</p><a href="[[link.unsubscribe]]">Meld av</a>',
      options: { overrideConsent: true },
    }),
    201,
  );
  mailingId = mailing.id;
  for (const id of [kari, ola])
    await ok(admin.send("POST", `/api/mailings/${mailingId}/sources`, { kind: "person", refId: id }));
  await ok(admin.send("POST", `/api/mailings/${mailingId}/send`));
  await waitFor(
    () => ok<{ status: string }>(admin.get(`/api/mailings/${mailingId}/progress`)),
    (p) => p.status === "finished",
  );
});
afterAll(async () => {
  await server?.close();
  await sink?.close();
});

describe("bounce tools over the API", () => {
  it("lists the refused address as blocked with the server's reply and the person having it", async () => {
    expect(sink.messages.map((m) => m.envelope.to[0])).toEqual(["ola@example.no"]);
    const page = await ok<Page<Blocked>>(admin.get("/api/blocked-addresses?reason=hard"));
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({
      address: BAD,
      reason: "hard",
      statusCode: "5.1.1",
      count: 1,
      persons: [{ id: kari, fullName: "Kari Feil" }],
    });
    expect(page.items[0]!.diagnostic).toMatch(/550 5\.1\.1 <finnes\.ikke@example\.no>: User unknown/);
    expect((await ok<Page<Blocked>>(admin.get("/api/blocked-addresses?q=ingen-slik"))).total).toBe(0);
    const bounces = await ok<Page<Bounce>>(admin.get(`/api/mailings/${mailingId}/bounces`));
    expect(bounces.items).toEqual([
      expect.objectContaining({
        address: BAD,
        kind: "hard",
        statusCode: "5.1.1",
        blocked: true,
        resent: false,
      }),
    ]);
    const person = await ok<{
      addressProblems: Array<{ address: string; blocked: boolean; reason: string }>;
    }>(admin.get(`/api/persons/${kari}`));
    expect(person.addressProblems).toMatchObject([{ address: BAD, blocked: true, reason: "hard" }]);
  });

  it("exports the blocked list as CSV that parses and has the row", async () => {
    const response = await fetchRaw("/api/blocked-addresses/export?format=csv");
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(
      /attachment; filename="blocked-addresses-.*\.csv"/,
    );
    const rows = parse((await response.text()).replace(/^\uFEFF/, "")) as string[][];
    expect(rows[0]!.slice(0, 3)).toEqual(["E-mail", "Reason", "Status code"]);
    expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([[BAD, "hard", "5.1.1"]]);
  });

  it("lets a viewer read the list but not act on it", async () => {
    const viewer = await userWithRole(server, admin, "viewer");
    expect((await viewer.get("/api/blocked-addresses")).status).toBe(200);
    const refused = await viewer.send("POST", "/api/blocked-addresses/clear", { addresses: [BAD] });
    expect(refused.status).toBe(403);
    expect((await viewer.get("/api/blocked-addresses/export")).status).toBe(403);
  });

  it("corrects the address: the person has the new one, the block is gone, and attempt 2 reaches the sink", async () => {
    const result = await ok<{
      persons: number;
      resent: Array<{ mailingId: number; created: Array<{ email: string; attempt: number }> }>;
    }>(admin.send("POST", "/api/blocked-addresses/correct", { address: BAD, newAddress: GOOD }));
    expect(result.persons).toBe(1);
    expect(result.resent).toEqual([
      expect.objectContaining({ mailingId, created: [expect.objectContaining({ email: GOOD, attempt: 2 })] }),
    ]);
    const received = await sink.waitFor(2);
    const second = received[1]!;
    expect(second.envelope.to).toEqual([GOOD]);
    expect(second.parsed!.messageId).toMatch(
      new RegExp(`^<m${mailingId}\\.r\\d+\\.a2@${DOMAIN.replace(".", "\\.")}>$`),
    );
    await waitFor(
      () => ok<{ status: string }>(admin.get(`/api/mailings/${mailingId}/progress`)),
      (p) => p.status === "finished",
    );
    expect((await ok<Page<Blocked>>(admin.get("/api/blocked-addresses"))).total).toBe(0);
    const person = await ok<{ email: string; addressProblems: unknown[] }>(admin.get(`/api/persons/${kari}`));
    expect(person).toMatchObject({ email: GOOD, addressProblems: [] });
    const bounces = await ok<Page<Bounce>>(admin.get(`/api/mailings/${mailingId}/bounces`));
    expect(bounces.items).toEqual([expect.objectContaining({ address: BAD, blocked: false, resent: true })]);
    // Nothing more to send: a second correction of the old address finds nobody.
    const again = await ok<{ persons: number }>(
      admin.send("POST", "/api/blocked-addresses/correct", { address: BAD, newAddress: GOOD }),
    );
    expect(again).toMatchObject({ persons: 0 });
  });

  it("clears a block, and the person's warning goes with it", async () => {
    const db = server.server.handle.db;
    await db
      .insertInto("address_blocks")
      .values({
        address_lower: "ola@example.no",
        blocked: 1,
        reason: "soft-bounces",
        detail: "452 4.2.2 Mailbox full",
        soft_count: 5,
        updated_at: new Date().toISOString(),
      })
      .execute();
    const before = await ok<{ addressProblems: Array<{ reason: string }> }>(admin.get(`/api/persons/${ola}`));
    expect(before.addressProblems).toMatchObject([{ reason: "soft" }]);
    expect(
      await ok(admin.send("POST", "/api/blocked-addresses/clear", { addresses: ["OLA@example.no"] })),
    ).toEqual({
      cleared: 1,
    });
    const after = await ok<{ addressProblems: unknown[] }>(admin.get(`/api/persons/${ola}`));
    expect(after.addressProblems).toEqual([]);
  });
});

async function fetchRaw(path: string): Promise<Response> {
  const key = (
    (await admin.send("POST", "/api/api-keys", { name: `eksport-${Date.now()}` })).body as { key: string }
  ).key;
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`);
  return response;
}
