// One definition of recipient, blocked and left out (src/db/block-reasons.ts), on both databases: a mailing with a
// person of every left-out and blocked kind is sent through the SMTP sink, and Confirm's counts, the statistics, the
// recipient list, the follow-up list and the CSV export must say the same about every person. Adding the list to a
// project then says what became of each row: added, a member already, or not a CRM person.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { blockAddress } from "../../src/deliveries/blocks.ts";
import { recordConsent, setSubscription } from "../../src/persons/consent.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { aSendingSetup } from "../helpers/mailings.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

type Counts = {
  listed: number;
  eligible: number;
  blocked: Record<string, number>;
  blockedTotal: number;
  leftOut: number;
  leftOutByReason: Record<string, number>;
};
type Row = { email: string | null; status: string; blockReason: string | null };

/** Who is who, and what the one definition says each is: a recipient, blocked (reason), or left out (reason). */
const EXPECTED: Record<string, { class: "recipient" | "blocked" | "left-out"; reason: string | null }> = {
  anne: { class: "recipient", reason: null },
  importert: { class: "recipient", reason: null },
  utenadresse: { class: "left-out", reason: "no-email" },
  avmeldt: { class: "blocked", reason: "unsubscribed" },
  trukket: { class: "blocked", reason: "consent-withdrawn" },
  ingen: { class: "blocked", reason: "no-subscription" },
  returnert: { class: "blocked", reason: "blocked-address" },
  klaget: { class: "blocked", reason: "complained" },
  sluttet: { class: "blocked", reason: "former-employee" },
  // Anne again through a second source: the first row keeps her message.
  "anne (2)": { class: "blocked", reason: "duplicate" },
};

describe.each(await testDialects())("recipient, blocked and left out agree everywhere on %s", (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let admin: ApiClient;
  let db: Db;
  let mailingId: number;
  const keyOf = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    sink = await startSmtpSink();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    db = server.server.handle.db;
    const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
    const typeId = (
      await ok<{ id: number }>(admin.send("POST", "/api/subscription-types", { name: "Nyhetsbrev" }), 201)
    ).id;
    const now = new Date().toISOString();
    const person = async (key: string, options: { email?: string; formerEmployee?: boolean } = {}) => {
      const email = options.email ?? `${key}@mottaker.example`;
      const created = await aPerson(db, { firstName: key, email, formerEmployee: options.formerEmployee });
      if (email) keyOf.set(email, key);
      return created.id;
    };
    const subscribed = async (id: number) =>
      setSubscription(db, id, { typeId, status: "subscribed", source: "manual" });
    const ids: number[] = [];
    const anne = await person("anne");
    await subscribed(anne);
    ids.push(anne);
    ids.push(await person("utenadresse", { email: "" }));
    const avmeldt = await person("avmeldt");
    await setSubscription(db, avmeldt, { typeId, status: "unsubscribed", source: "manual" });
    ids.push(avmeldt);
    const trukket = await person("trukket");
    await recordConsent(db, trukket, { purpose: "e-marketing", legalBasis: "withdrawn", source: "manual" });
    ids.push(trukket);
    ids.push(await person("ingen"));
    const returnert = await person("returnert");
    await subscribed(returnert);
    await blockAddress(db, "returnert@mottaker.example", "hard-bounce", "5.1.1 User unknown", now);
    ids.push(returnert);
    const klaget = await person("klaget");
    await subscribed(klaget);
    await blockAddress(db, "klaget@mottaker.example", "complained", "ARF", now);
    ids.push(klaget);
    const sluttet = await person("sluttet", { formerEmployee: true });
    await subscribed(sluttet);
    ids.push(sluttet);
    keyOf.set("importert@mottaker.example", "importert");
    keyOf.set("", "utenadresse");

    const selection = await ok<{ id: number }>(
      admin.send("POST", "/api/selections", { name: "Alle typer", kind: "static" }),
      201,
    );
    await ok(admin.send("POST", `/api/selections/${selection.id}/members`, { personIds: ids }));
    mailingId = (
      await ok<{ id: number }>(
        admin.send("POST", "/api/mailings", {
          name: "Definisjoner",
          subject: "Hei [[customer.firstname]]",
          fromName: "Fjordlys",
          fromAddress: `post@${setup.domain.domain}`,
          sendingAccountId: setup.account.id,
          subscriptionTypeId: typeId,
          selectionId: selection.id,
          content: '<p>Hei</p><a href="[[link.unsubscribe]]">Meld deg av</a>',
        }),
        201,
      )
    ).id;
    await ok(admin.send("POST", `/api/mailings/${mailingId}/sources`, { kind: "person", refId: anne }));
    await ok(
      admin.send("POST", `/api/mailings/${mailingId}/sources`, {
        kind: "addresses",
        consentConfirmed: true,
        addresses: [{ email: "importert@mottaker.example", name: "Importert" }],
      }),
    );
  }, 90_000);

  afterAll(async () => {
    await sink?.close();
    await server?.close();
  });

  /** The key of a row: the person's first-name key; a second row of the same address gets " (2)". */
  function keyed(rows: Row[]): Record<string, { status: string; reason: string | null }> {
    const out: Record<string, { status: string; reason: string | null }> = {};
    for (const row of rows) {
      const base = keyOf.get(row.email ?? "") ?? `? ${row.email}`;
      const key = out[base] ? `${base} (2)` : base;
      out[key] = { status: row.status, reason: row.blockReason };
    }
    return out;
  }

  const expectedList = () =>
    Object.fromEntries(
      Object.entries(EXPECTED)
        .filter(([, e]) => e.class !== "left-out")
        .map(([k, e]) => [k, { status: e.class === "recipient" ? "eligible" : "blocked", reason: e.reason }]),
    );

  const expectedCounts = (): Counts => {
    const blocked: Record<string, number> = {};
    const leftOutByReason: Record<string, number> = {};
    for (const e of Object.values(EXPECTED)) {
      if (e.class === "blocked") blocked[e.reason!] = (blocked[e.reason!] ?? 0) + 1;
      if (e.class === "left-out") leftOutByReason[e.reason!] = (leftOutByReason[e.reason!] ?? 0) + 1;
    }
    const eligible = Object.values(EXPECTED).filter((e) => e.class === "recipient").length;
    const blockedTotal = Object.values(blocked).reduce((a, b) => a + b, 0);
    const leftOut = Object.values(leftOutByReason).reduce((a, b) => a + b, 0);
    return { listed: eligible + blockedTotal, eligible, blocked, blockedTotal, leftOut, leftOutByReason };
  };

  it("counts and classifies every person the same on Confirm, statistics, the list, follow-up and the export", async () => {
    const want = expectedCounts();
    expect(want).toMatchObject({ listed: 9, eligible: 2, blockedTotal: 7, leftOut: 1 });

    // Confirm reads the mailing's counts.
    const before = await ok<{ recipients: Counts; canSend: boolean }>(
      admin.get(`/api/mailings/${mailingId}`),
    );
    expect(before.recipients).toEqual(want);
    expect(before.canSend).toBe(true);

    // The Recipients step's list: every row but the left out; they are listed only when asked for.
    const list = await ok<{ items: Row[]; total: number }>(
      admin.get(`/api/mailings/${mailingId}/recipients?limit=100`),
    );
    expect(list.total).toBe(want.listed);
    expect(keyed(list.items)).toEqual(expectedList());
    const leftOut = await ok<{ items: Row[]; total: number }>(
      admin.get(`/api/mailings/${mailingId}/recipients?status=left-out&limit=100`),
    );
    expect(keyed(leftOut.items)).toEqual({ utenadresse: { status: "left-out", reason: "no-email" } });

    await ok(admin.send("POST", `/api/mailings/${mailingId}/send`));
    await sink.waitFor(want.eligible, 15_000);
    await untilFinished(admin, mailingId);
    expect(sink.messages.map((m) => keyOf.get(m.envelope.to[0]!)).sort()).toEqual(["anne", "importert"]);

    const after = await ok<{ recipients: Counts }>(admin.get(`/api/mailings/${mailingId}`));
    expect(after.recipients).toEqual(want);

    const stats = await ok<{
      recipients: {
        total: number;
        eligible: number;
        blocked: number;
        blockedByReason: Record<string, number>;
        leftOut: number;
        leftOutByReason: Record<string, number>;
      };
      sent: number;
    }>(admin.get(`/api/mailings/${mailingId}/statistics`));
    expect(stats.recipients).toEqual({
      total: want.listed,
      eligible: want.eligible,
      blocked: want.blockedTotal,
      blockedByReason: want.blocked,
      leftOut: want.leftOut,
      leftOutByReason: want.leftOutByReason,
    });
    expect(stats.sent).toBe(want.eligible);

    const followUp = await ok<{
      items: Array<{ email: string | null; recipientStatus: string; blockReason: string | null }>;
      total: number;
    }>(admin.get(`/api/mailings/${mailingId}/follow-up?limit=100`));
    expect(followUp.total).toBe(want.listed);
    expect(
      keyed(
        followUp.items.map((r) => ({
          email: r.email,
          status: r.recipientStatus,
          blockReason: r.blockReason,
        })),
      ),
    ).toEqual(expectedList());
    const blockedOnly = await ok<{ total: number }>(
      admin.get(`/api/mailings/${mailingId}/follow-up?filters=blocked`),
    );
    expect(blockedOnly.total).toBe(want.blockedTotal);

    const csv = await admin.get(`/api/mailings/${mailingId}/recipients/export?format=csv`);
    expect(csv.status).toBe(200);
    const records = parse(String(csv.body).replace(/^\uFEFF/, ""), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(records).toHaveLength(want.listed);
    expect(
      keyed(
        records.map((r) => ({
          email: r["E-mail"]!,
          status: r["Recipient status"]!,
          blockReason: r["Block reason"] || null,
        })),
      ),
    ).toEqual(expectedList());
  });

  it("says, adding the list to a project, who was added, who was a member already and who could not be added and why", async () => {
    const project = await ok<{ id: number }>(
      admin.send("POST", "/api/projects", { name: "Alle rader" }),
      201,
    );
    const anne = (await ok<{ items: Array<{ id: number }> }>(admin.get("/api/persons?q=anne%40mottaker")))
      .items;
    expect(anne).toHaveLength(1);
    await ok(admin.send("POST", `/api/projects/${project.id}/members`, { personIds: [anne[0]!.id] }));

    // Every row of the list (no ids, no filters): the left out are not on it.
    const result = await ok<{
      rows: number;
      persons: number;
      added: number;
      alreadyMembers: number;
      notInCrm: number;
      named: {
        added: Array<{ personId: number; name: string | null }>;
        alreadyMembers: Array<{ personId: number; name: string | null }>;
        notInCrm: Array<{ recipientId: number; name: string | null; email: string | null }>;
      };
    }>(admin.send("POST", `/api/mailings/${mailingId}/follow-up/add-to`, { projectId: project.id }));
    const crmKeys = Object.keys(EXPECTED).filter(
      (k) => !["importert", "utenadresse", "anne (2)"].includes(k),
    );
    expect(result).toMatchObject({
      rows: expectedCounts().listed,
      persons: crmKeys.length,
      added: crmKeys.length - 1,
      alreadyMembers: 1,
      notInCrm: 1,
    });
    // Anne's second row is the same person: counted once, as the member she was already.
    expect(result.rows).toBe(result.persons + result.notInCrm + 1);
    expect(result.named.alreadyMembers.map((p) => p.name)).toEqual([expect.stringContaining("anne")]);
    expect(result.named.added.map((p) => p.name?.split(" ")[0]).sort()).toEqual(
      crmKeys.filter((k) => k !== "anne").sort(),
    );
    expect(result.named.notInCrm).toEqual([
      expect.objectContaining({ name: "Importert", email: "importert@mottaker.example" }),
    ]);
    const members = await ok<{ total: number }>(admin.get(`/api/projects/${project.id}/members?limit=100`));
    expect(members.total).toBe(crmKeys.length);
  });
});
