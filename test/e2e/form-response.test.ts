// Form-response mailings (SPEC §9) end to end: created through the API as type "form", four steps (no Recipients),
// started live without sending, each processed submission answered once through the real SMTP sink with its answers
// and receipt merged and escaped, the consent rule of the Decision, and a live mailing the worker never finishes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { blockAddress } from "../../src/deliveries/blocks.ts";
import { keyringFromSecret } from "../../src/deliveries/tokens.ts";
import { enqueueFormResponse } from "../../src/mailings/form-response.ts";
import { getMailing } from "../../src/mailings/store.ts";
import { createSubscriptionType } from "../../src/persons/catalogue.ts";
import { recordConsent, setSubscription } from "../../src/persons/consent.ts";
import { beginSending } from "../../src/send/planner.ts";
import { createSendWorker } from "../../src/send/worker.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aSendingSetup } from "../helpers/mailings.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const keys = keyringFromSecret("form-response-test-secret");

const DEFINITION = {
  fields: [
    {
      key: "email",
      kind: "mapped",
      maps: "email",
      prefill: false,
      required: true,
      label: { nb: "E-post", en: "E-mail" },
    },
    {
      key: "comment",
      kind: "free",
      type: "long-text",
      prefill: false,
      required: false,
      label: { nb: "Kommentar", en: "Comment" },
    },
    {
      key: "topics",
      kind: "free",
      type: "multi-choice",
      prefill: false,
      required: false,
      options: [
        { nb: "Sykler", en: "Bikes" },
        { nb: "Ski", en: "Skis" },
      ],
      label: { nb: "Emner <valgt>", en: "Topics" },
    },
  ],
};

let formCounter = 0;

async function aForm(db: Db, definition: unknown = DEFINITION): Promise<number> {
  const now = new Date().toISOString();
  const form = await db
    .insertInto("forms")
    .values({
      name: "Kontakt",
      slug: `kontakt-${++formCounter}-${Math.random().toString(36).slice(2, 6)}`,
      language: "nb",
      status: "published",
      published_version: 1,
      definition: JSON.stringify(definition),
      processing_mode: "automatic",
      sending_account_id: null,
      thank_you_text: null,
      redirect_url: null,
      deactivate_at: null,
      deactivate_after: null,
      actions: "{}",
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("form_versions")
    .values({ form_id: form.id, version: 1, definition: JSON.stringify(definition), published_at: now })
    .execute();
  return form.id;
}

async function aSubmission(
  db: Db,
  formId: number,
  personId: number,
  email: string,
  answers: Record<string, string | string[]>,
): Promise<number> {
  const now = new Date().toISOString();
  const row = await db
    .insertInto("form_submissions")
    .values({
      form_id: formId,
      version: 1,
      answers: JSON.stringify({ email, ...answers }),
      email_lower: email.toLowerCase(),
      ip: "127.0.0.0",
      user_agent: "test",
      submitted_at: now,
      status: "processed",
      reject_reason: null,
      person_id: personId,
      company_id: null,
      prefill_person_id: null,
      confirm_sent_at: null,
      confirm_expires_at: null,
      confirmed_at: null,
      processed_at: now,
      processed_by: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

const CONTENT = `<p>Takk, [[customer.firstname]]! Du skrev: [[form.comment]]</p>
<p>Emner: [[form.topics]]</p>
[[form.receipt]]
<p><a href="[[link.unsubscribe]]">Meld deg av</a></p>`;

async function deliveryCount(db: Db, mailingId: number) {
  const rows = await db.selectFrom("deliveries").select("id").where("mailing_id", "=", mailingId).execute();
  return rows.length;
}

describe.each(await testDialects())("form-response mailings on %s", (dialect) => {
  let t: TestDb;
  let sink: SmtpSink;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await t.dispose();
  });

  async function aLiveMailing(formId: number | null, extra: Record<string, unknown> = {}) {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const { createMailing } = await import("../../src/mailings/store.ts");
    const mailing = await createMailing(
      t.db,
      {
        name: "Takk for svaret",
        type: "form",
        formId,
        subject: "Takk, [[customer.firstname]]",
        fromName: "Fjordlys",
        fromAddress: `post@${setup.domain.domain}`,
        sendingAccountId: setup.account.id,
        content: CONTENT,
        ...extra,
      },
      null,
    );
    return { mailing, setup };
  }

  function worker() {
    return createSendWorker({
      db: t.db,
      dialect,
      publicUrl: "https://utsend.example",
      keys,
      leaseMs: 30_000,
      log: () => {},
    });
  }

  it("has four steps, no recipients step, and goes live at start without sending anything", async () => {
    const formId = await aForm(t.db);
    const { mailing } = await aLiveMailing(formId);
    expect(mailing.steps.map((s) => s.key)).toEqual(["setup", "template", "content", "confirm"]);
    expect(mailing.problems).toEqual([]);
    expect(mailing.canSend).toBe(true);
    expect(await beginSending(t.db, mailing.id)).toEqual({ deliveries: 0 });
    expect((await getMailing(t.db, mailing.id)).status).toBe("sending");
  });

  it("needs the form, and flags a form field its form does not have at Confirm", async () => {
    const { mailing: noForm } = await aLiveMailing(null);
    expect(noForm.problems.map((p) => p.code)).toEqual(expect.arrayContaining(["form", "unknown-variable"]));
    expect(noForm.warnings).toEqual(expect.arrayContaining(["Unknown merge field [[form.comment]]"]));
    const formId = await aForm(t.db);
    const { mailing } = await aLiveMailing(formId, {
      content: `${CONTENT}<p>[[form.phone]]</p>`,
    });
    expect(mailing.problems).toEqual([
      expect.objectContaining({ code: "unknown-variable", message: "Unknown merge field [[form.phone]]" }),
    ]);
    expect(mailing.canSend).toBe(false);
    await expect(beginSending(t.db, mailing.id)).rejects.toMatchObject({ code: "MAILING_NOT_READY" });
  });

  it("allows one live form-response mailing per form", async () => {
    const formId = await aForm(t.db);
    const { mailing: first } = await aLiveMailing(formId);
    const { mailing: second } = await aLiveMailing(formId);
    await beginSending(t.db, first.id);
    const blocked = await getMailing(t.db, second.id);
    expect(blocked.problems.map((p) => p.code)).toEqual(["form-taken"]);
    await expect(beginSending(t.db, second.id)).rejects.toMatchObject({ code: "MAILING_NOT_READY" });
  });

  it("answers each processed submission once, with answers and receipt merged and escaped, and stays live", async () => {
    const formId = await aForm(t.db);
    const { mailing } = await aLiveMailing(formId);
    await beginSending(t.db, mailing.id);
    // No marketing consent, even withdrawn: a form response answers the person's own request.
    const kari = await aPerson(t.db, { firstName: "Kari", email: `kari-${dialect}@example.no` });
    await recordConsent(t.db, kari.id, { purpose: "e-marketing", legalBasis: "withdrawn", source: "manual" });
    const first = await aSubmission(t.db, formId, kari.id, `Kari-${dialect}@example.no`, {
      comment: "<script>alert(1)</script> & mer",
      topics: ["Sykler", "Ski"],
    });
    const queued = await enqueueFormResponse(t.db, mailing.id, first);
    expect(queued).toMatchObject({ outcome: "queued" });
    expect(await enqueueFormResponse(t.db, mailing.id, first)).toMatchObject({ outcome: "already" });
    expect(await deliveryCount(t.db, mailing.id)).toBe(1);

    const w = worker();
    const before = sink.messages.length;
    for (let i = 0; i < 5 && sink.messages.length === before; i++) await w.tick();
    await w.tick();
    const received = sink.messages.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]!.envelope.to[0]).toBe(`kari-${dialect}@example.no`);
    const parsed = received[0]!.parsed!;
    expect(parsed.subject).toBe("Takk, Kari");
    const html = String(parsed.html);
    expect(html).toContain("Du skrev: &lt;script&gt;alert(1)&lt;/script&gt; &amp; mer");
    expect(html).not.toContain("<script>");
    expect(html).toContain("Emner: Sykler, Ski");
    expect(html).toMatch(/<th[^>]*>Emner &lt;valgt&gt;<\/th><td[^>]*>Sykler, Ski<\/td>/);
    expect(html).toMatch(
      /<th[^>]*>Kommentar<\/th><td[^>]*>&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; mer<\/td>/,
    );
    const text = String(parsed.text);
    expect(text).toContain("Kommentar: <script>alert(1)</script> & mer");
    expect(text).toContain("Emner <valgt>: Sykler, Ski");
    expect(text).toContain(`E-post: Kari-${dialect}@example.no`);

    // The queue is empty, yet the mailing stays live for the next submission.
    expect((await getMailing(t.db, mailing.id)).status).toBe("sending");
    const ola = await aPerson(t.db, { firstName: "Ola", email: `ola-${dialect}@example.no` });
    const second = await aSubmission(t.db, formId, ola.id, `ola-${dialect}@example.no`, { comment: "Hei" });
    expect(await enqueueFormResponse(t.db, mailing.id, second)).toMatchObject({ outcome: "queued" });
    for (let i = 0; i < 5 && sink.messages.length === before + 1; i++) await w.tick();
    await w.tick();
    await w.stop();
    expect(sink.messages.length).toBe(before + 2);
    expect((await getMailing(t.db, mailing.id)).status).toBe("sending");
    // Statistics accumulate on the one mailing: the ledger's counts hold both deliveries.
    const counts = await t.db
      .selectFrom("delivery_counts")
      .select(["state", "n"])
      .where("mailing_id", "=", mailing.id)
      .execute();
    const sent = counts.filter((c) => c.state === "sent").reduce((a, c) => a + Number(c.n), 0);
    expect(sent).toBe(2);
    expect((await getMailing(t.db, mailing.id)).recipients.eligible).toBe(2);
  });

  it("leaves out a blocked address and one unsubscribed from the mailing's type, with the reason", async () => {
    const formId = await aForm(t.db);
    const type = await createSubscriptionType(t.db, { name: `Nyheter ${dialect}` });
    const { mailing } = await aLiveMailing(formId, { subscriptionTypeId: type.id });
    await beginSending(t.db, mailing.id);
    const blocked = await aPerson(t.db, { email: `sperret-${dialect}@example.no` });
    await blockAddress(
      t.db,
      `sperret-${dialect}@example.no`,
      "hard-bounce",
      "550 5.1.1",
      new Date().toISOString(),
    );
    const unsubscribed = await aPerson(t.db, { email: `avmeldt-${dialect}@example.no` });
    await setSubscription(t.db, unsubscribed.id, {
      typeId: type.id,
      status: "unsubscribed",
      source: "manual",
    });
    // Unsubscribed from another type only: still answered.
    const other = await createSubscriptionType(t.db, { name: `Annet ${dialect}` });
    const elsewhere = await aPerson(t.db, { email: `annet-${dialect}@example.no` });
    await setSubscription(t.db, elsewhere.id, { typeId: other.id, status: "unsubscribed", source: "manual" });

    const results = [];
    for (const [person, email] of [
      [blocked, `sperret-${dialect}@example.no`],
      [unsubscribed, `avmeldt-${dialect}@example.no`],
      [elsewhere, `annet-${dialect}@example.no`],
    ] as const)
      results.push(
        await enqueueFormResponse(t.db, mailing.id, await aSubmission(t.db, formId, person.id, email, {})),
      );
    expect(results.map((r) => r.outcome)).toEqual(["left-out", "left-out", "queued"]);
    expect(results.map((r) => ("reason" in r ? r.reason : null))).toEqual([
      "blocked-address",
      "unsubscribed",
      null,
    ]);
    const rows = await t.db
      .selectFrom("mailing_recipients")
      .select(["email_lower", "status", "block_reason"])
      .where("mailing_id", "=", mailing.id)
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { email_lower: `sperret-${dialect}@example.no`, status: "blocked", block_reason: "blocked-address" },
      { email_lower: `avmeldt-${dialect}@example.no`, status: "blocked", block_reason: "unsubscribed" },
      { email_lower: `annet-${dialect}@example.no`, status: "eligible", block_reason: null },
    ]);
    expect(await deliveryCount(t.db, mailing.id)).toBe(1);
    const counted = await getMailing(t.db, mailing.id);
    expect(counted.recipients.eligible).toBe(1);
    expect(counted.recipients.blocked).toEqual({ "blocked-address": 1, unsubscribed: 1 });
  });

  it("answers inside the caller's transaction: a rolled-back processing leaves no delivery", async () => {
    const formId = await aForm(t.db);
    const { mailing } = await aLiveMailing(formId);
    await beginSending(t.db, mailing.id);
    const person = await aPerson(t.db, { email: `trans-${dialect}@example.no` });
    const submission = await aSubmission(t.db, formId, person.id, `trans-${dialect}@example.no`, {});
    await expect(
      t.db.transaction().execute(async (trx) => {
        expect(await enqueueFormResponse(trx as unknown as Db, mailing.id, submission)).toMatchObject({
          outcome: "queued",
        });
        throw new Error("processing failed");
      }),
    ).rejects.toThrow("processing failed");
    expect(await deliveryCount(t.db, mailing.id)).toBe(0);
    await t.db.transaction().execute(async (trx) => {
      await enqueueFormResponse(trx as unknown as Db, mailing.id, submission);
    });
    expect(await deliveryCount(t.db, mailing.id)).toBe(1);
  });

  it("does nothing for a mailing that is not live", async () => {
    const formId = await aForm(t.db);
    const { mailing } = await aLiveMailing(formId);
    const person = await aPerson(t.db, { email: `utkast-${dialect}@example.no` });
    const submission = await aSubmission(t.db, formId, person.id, `utkast-${dialect}@example.no`, {});
    expect(await enqueueFormResponse(t.db, mailing.id, submission)).toEqual({ outcome: "not-live" });
    expect(await deliveryCount(t.db, mailing.id)).toBe(0);
  });
});

describe.each(await testDialects())("the API on %s", (dialect) => {
  let server: TestServer;
  let admin: ApiClient;
  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    await ok(admin.send("POST", "/api/sending-domains", { domain: "skjema.example" }), 201);
  });
  afterAll(async () => {
    await server.close();
  });

  it("creates a form-response mailing with its form and no recipients step", async () => {
    const formId = await aForm(server.server.handle.db);
    type Created = { id: number; type: string; formId: number | null; steps: Array<{ key: string }> };
    const created = await ok<Created>(
      admin.send("POST", "/api/mailings", {
        name: "Skjemasvar",
        type: "form",
        formId,
        subject: "Takk",
        fromAddress: "post@skjema.example",
        content: CONTENT,
      }),
      201,
    );
    expect(created).toMatchObject({ type: "form", formId });
    expect(created.steps.map((s) => s.key)).toEqual(["setup", "template", "content", "confirm"]);
    // The insert menu offers the form's fields and the receipt.
    type Menu = {
      groups: Array<{ group: string; variables: Array<{ path: string }> }>;
      formFields: Array<{ key: string; nb: string; en: string }>;
    };
    const menu = await ok<Menu>(admin.send("GET", `/api/merge-variables?formId=${formId}`));
    expect(menu.formFields.map((f) => f.key)).toEqual(["email", "comment", "topics"]);
    expect(menu.formFields[1]).toEqual({ key: "comment", nb: "Kommentar", en: "Comment" });
    expect(menu.groups.find((g) => g.group === "form")?.variables.map((v) => v.path)).toEqual([
      "form.receipt",
    ]);
    expect((await ok<Menu>(admin.send("GET", "/api/merge-variables"))).formFields).toEqual([]);
    const missing = await admin.send("POST", "/api/mailings", { name: "X", type: "form", formId: 999_999 });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: { details: { field: "formId" } } });
  });
});
