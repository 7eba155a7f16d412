// "Reload and resend" and "resend to selected" through the API of a running server: corrected addresses and newcomers
// get a new attempt, those who received it or have since withdrawn consent do not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { recordConsent } from "../../src/persons/consent.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import {
  type ApiClient,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

describe.each(await testDialects())("resending on %s", (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let admin: ApiClient;
  let db: Db;
  let mailingId: number;
  let selectionId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    sink = await startSmtpSink({
      rcptReply: (address) =>
        address.startsWith("ukjent") ? { code: 550, message: "5.1.1 User unknown" } : null,
    });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    db = server.server.handle.db;
    const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
    ids.anne = (await aPerson(db, { firstName: "Anne", email: "anne@mottaker.example" })).id;
    ids.bjorn = (await aPerson(db, { firstName: "Bjørn", email: "ukjent.bjorn@mottaker.example" })).id;
    const selection = await admin.send("POST", "/api/selections", { name: "Kunder", kind: "static" });
    selectionId = (selection.body as { id: number }).id;
    await admin.send("POST", `/api/selections/${selectionId}/members`, { personIds: [ids.anne, ids.bjorn] });
    mailingId = (await aReadyMailing(db, setup, [], { selectionId })).id;
    expect((await admin.send("POST", `/api/mailings/${mailingId}/send`)).status).toBe(200);
    await sink.waitFor(1, 15_000);
    await untilFinished(admin, mailingId);
  }, 60_000);

  afterAll(async () => {
    await sink?.close();
    await server?.close();
  });

  it("resends to a corrected address and to newcomers, never to those who got it or withdrew consent", async () => {
    const failed = await admin.get(`/api/mailings/${mailingId}/follow-up?filters=failed`);
    expect((failed.body as { total: number }).total).toBe(1);
    // Bjørn's address is corrected; Carl joins the selection; Dina joins but has withdrawn consent.
    const patched = await admin.send("PATCH", `/api/persons/${ids.bjorn}`, {
      emails: [{ address: "bjorn@mottaker.example" }],
    });
    expect(patched.status).toBe(200);
    ids.carl = (await aPerson(db, { firstName: "Carl", email: "carl@mottaker.example" })).id;
    ids.dina = (await aPerson(db, { firstName: "Dina", email: "dina@mottaker.example" })).id;
    await recordConsent(db, ids.dina, {
      purpose: "e-marketing",
      legalBasis: "withdrawn",
      source: "manual",
    } as never);
    await admin.send("POST", `/api/selections/${selectionId}/members`, { personIds: [ids.carl, ids.dina] });

    const reloaded = await admin.send("POST", `/api/mailings/${mailingId}/reload-and-resend`);
    expect(reloaded.status, JSON.stringify(reloaded.body)).toBe(200);
    expect(reloaded.body).toMatchObject({ added: 2, created: 2 });
    const got = await sink.waitFor(3, 15_000);
    expect(got.map((m) => m.envelope.to[0]).sort()).toEqual([
      "anne@mottaker.example",
      "bjorn@mottaker.example",
      "carl@mottaker.example",
    ]);
    await untilFinished(admin, mailingId);
    const rows = (await admin.get(`/api/mailings/${mailingId}/follow-up?limit=100`)).body as {
      items: Array<{
        email: string;
        attempt: number | null;
        deliveryStatus: string | null;
        blockReason: string | null;
      }>;
    };
    expect(rows.items.find((r) => r.email === "bjorn@mottaker.example")).toMatchObject({
      attempt: 2,
      deliveryStatus: "sent",
    });
    expect(rows.items.find((r) => r.email === "dina@mottaker.example")).toMatchObject({
      deliveryStatus: null,
      blockReason: "consent-withdrawn",
    });

    const stats = (await admin.get(`/api/mailings/${mailingId}/statistics`)).body as {
      recipients: {
        total: number;
        eligible: number;
        blocked: number;
        blockedByReason: Record<string, number>;
      };
    };
    expect(stats.recipients).toEqual({
      total: 4,
      eligible: 3,
      blocked: 1,
      blockedByReason: { "consent-withdrawn": 1 },
      leftOut: 0,
      leftOutByReason: {},
    });

    // Again: nothing new to send.
    const again = await admin.send("POST", `/api/mailings/${mailingId}/reload-and-resend`);
    expect(again.body).toMatchObject({ added: 0, created: 0 });
  });

  it("resends to selected recipients only when they have not received it", async () => {
    const all = (await admin.get(`/api/mailings/${mailingId}/follow-up`)).body as {
      items: Array<{ recipientId: number; email: string }>;
    };
    const anne = all.items.find((r) => r.email === "anne@mottaker.example")!;
    const resent = await admin.send("POST", `/api/mailings/${mailingId}/resend`, {
      recipientIds: [anne.recipientId],
    });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ created: 0, skipped: { received: 1 } });
    const viewer = await admin.send("POST", "/api/users", {
      email: "se@example.no",
      name: "Se",
      role: "viewer",
      password: "long-password-1",
    });
    expect(viewer.status).toBe(201);
    const asViewer = await signIn(server.url, "se@example.no", "long-password-1");
    const refused = await asViewer.send("POST", `/api/mailings/${mailingId}/reload-and-resend`);
    expect(refused.status).toBe(403);
    expect(sink.messages).toHaveLength(3);
  });
});
