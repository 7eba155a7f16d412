// The mailing API as the UI and scripts use it, against a real server whose worker sends to the local outbox.
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiClient,
  ok,
  request,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
  waitFor,
} from "../helpers/server.ts";

type Mailing = {
  id: number;
  status: string;
  canSend: boolean;
  warnings: string[];
  problems: Array<{ code: string; step: string }>;
  steps: Array<{ key: string; state: string }>;
  scheduledAt: string | null;
  recipients: { eligible: number; blocked: Record<string, number>; leftOut: number };
};
type Page<T> = { items: T[]; total: number };
type OutboxItem = { id: number; mailingId: number; isTest: boolean; to: string; subject: string };

let server: TestServer;
let admin: ApiClient;
let personIds: number[];
const DOMAIN = "utsendelser.example";

async function draft(extra: Record<string, unknown> = {}) {
  return ok<Mailing>(
    admin.send("POST", "/api/mailings", {
      name: "Kampanje",
      subject: "Hei [[customer.firstname]]",
      fromName: "Fjordlys",
      fromAddress: `post@${DOMAIN}`,
      content:
        '<p>Hei [[customer.firstname | default: "venn"]]</p><a href="[[link.unsubscribe]]">Meld av</a>',
      options: { overrideConsent: true },
      ...extra,
    }),
    201,
  );
}

beforeAll(async () => {
  server = await startTestServer();
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  await ok(admin.send("POST", "/api/sending-domains", { domain: DOMAIN }), 201);
  personIds = [];
  for (const [firstName, address] of [
    ["Kari", "kari@example.no"],
    ["<script>alert(1)</script>", "skript@example.no"],
    ["Ola\r\nBcc: spion@example.com", "ola@example.no"],
    [null, "uten.navn@example.no"],
  ] as const) {
    const p = await ok<{ id: number }>(
      admin.send("POST", "/api/persons", { firstName, lastName: "Test", emails: [{ address }] }),
      201,
    );
    personIds.push(p.id);
  }
});
afterAll(async () => server.close());

describe("mailings API", () => {
  it("saves a draft with an unknown merge field as a warning and lists it as a blocking problem", async () => {
    const m = await draft({ content: "<p>[[customer.skostørrelse]]</p>" });
    expect(m.status).toBe("draft");
    expect(m.warnings).toEqual(["Unknown merge field [[customer.skostørrelse]]"]);
    expect(m.canSend).toBe(false);
    expect(m.problems.map((p) => p.code).sort()).toEqual([
      "no-recipients",
      "unknown-variable",
      "unsubscribe-link",
    ]);
    expect(m.steps.find((s) => s.key === "content")!.state).toBe("incomplete");
    const refused = await admin.send("POST", `/api/mailings/${m.id}/send`);
    expect(refused.status).toBe(409);
    expect((refused.body as { error: { code: string } }).error.code).toBe("MAILING_NOT_READY");
  });

  it("refuses a line break in the subject or from name (no header injection through the form)", async () => {
    const m = await draft();
    const response = await admin.send("PATCH", `/api/mailings/${m.id}`, {
      subject: "Hei\r\nBcc: spion@example.com",
      fromName: "A\nB",
    });
    expect(response.status).toBe(400);
    const fields = (response.body as { error: { details: { fields: Array<{ field: string }> } } }).error
      .details.fields;
    expect(fields.map((f) => f.field)).toEqual(["subject", "fromName"]);
  });

  it("previews a recipient with values escaped in HTML, and reports empty merge fields over the whole list", async () => {
    const m = await draft();
    for (const id of personIds)
      await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: id }));
    const recipients = await ok<Page<{ id: number; email: string }>>(
      admin.get(`/api/mailings/${m.id}/recipients`),
    );
    const script = recipients.items.find((r) => r.email === "skript@example.no")!;
    const preview = await ok<{ html: string; subject: string; text: string }>(
      admin.get(`/api/mailings/${m.id}/preview?recipientId=${script.id}`),
    );
    expect(preview.html).toContain("Hei &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(preview.html).not.toContain("<script>");
    expect(preview.text).toContain("Hei <script>alert(1)</script>");
    const report = await ok<{
      checked: number;
      items: Array<{ variable: string; count: number; recipients: Array<{ email: string }> }>;
    }>(admin.get(`/api/mailings/${m.id}/empty-variables`));
    expect(report.checked).toBe(4);
    // The subject has no fallback: empty for the person without a first name; the body has a default.
    expect(report.items).toEqual([
      {
        variable: "customer.firstname",
        count: 1,
        recipients: [expect.objectContaining({ email: "uten.navn@example.no" })],
      },
    ]);
  });

  it("sends tests to ;-separated addresses, marked [TEST], and counts nothing", async () => {
    const m = await draft();
    await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: personIds[0] }));
    const result = await ok<{ sent: number }>(
      admin.send("POST", `/api/mailings/${m.id}/test`, { addresses: "test1@example.no; test2@example.no" }),
    );
    expect(result.sent).toBe(2);
    const outbox = await ok<Page<OutboxItem>>(admin.get(`/api/outbox?mailingId=${m.id}`));
    expect(outbox.items.map((i) => [i.to, i.isTest, i.subject]).sort()).toEqual([
      ["test1@example.no", true, "[TEST] Hei Kari"],
      ["test2@example.no", true, "[TEST] Hei Kari"],
    ]);
    const progress = await ok<{ total: number }>(admin.get(`/api/mailings/${m.id}/progress`));
    expect(progress.total).toBe(0);
    const bad = await admin.send("POST", `/api/mailings/${m.id}/test`, {
      addresses: "test1@example.no; ikke-en-adresse",
    });
    expect(bad.status).toBe(400);
  });

  it("refuses Send and Schedule while the sending account cannot send as configured, and says why", async () => {
    // A remote relay without an EHLO name, and a public URL whose host is an address: no name EHLO may give.
    const account = await ok<{ id: number; problems: string[] }>(
      admin.send("POST", "/api/sending-accounts", {
        name: "Relé uten navn",
        kind: "smtp",
        host: "smtp.relay.example",
        port: 587,
      }),
      201,
    );
    expect(account.problems.join(" ")).toMatch(/no EHLO name/);
    const m = await draft({ sendingAccountId: account.id });
    await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: personIds[0] }));
    for (const [path, body] of [
      ["send", undefined],
      ["schedule", { date: "2031-06-01", time: "08:00", timeZone: "Europe/Oslo" }],
    ] as const) {
      const refused = await admin.send("POST", `/api/mailings/${m.id}/${path}`, body);
      expect(refused.status, path).toBe(409);
      expect(refused.body).toMatchObject({
        error: {
          code: "MAILING_NOT_READY",
          details: {
            problems: [{ step: "setup", code: "sending-account-unusable", field: "sendingAccountId" }],
          },
        },
      });
      expect(JSON.stringify(refused.body)).toContain(
        'Sending account \\"Relé uten navn\\" cannot send: no EHLO name',
      );
    }
    expect((await ok<Mailing>(admin.get(`/api/mailings/${m.id}`))).status).toBe("draft");
    // With an EHLO name the same account may send: the refusal was the account's, nothing else.
    const fixed = await ok<{ problems: string[] }>(
      admin.send("PATCH", `/api/sending-accounts/${account.id}`, { ehloName: "utsend.fjordlys.example" }),
    );
    expect(fixed.problems).toEqual([]);
    const scheduled = await ok<Mailing>(
      admin.send("POST", `/api/mailings/${m.id}/schedule`, {
        date: "2031-06-01",
        time: "08:00",
        timeZone: "Europe/Oslo",
      }),
    );
    expect(scheduled.status).toBe("scheduled");
  });

  it("sends through the worker to the outbox; a header-injection attempt in a name stays in one header", async () => {
    const m = await draft();
    for (const id of personIds)
      await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: id }));
    const started = await ok<Mailing>(admin.send("POST", `/api/mailings/${m.id}/send`));
    expect(started.status).toBe("sending");
    const edit = await admin.send("PATCH", `/api/mailings/${m.id}`, { subject: "For sent" });
    expect((edit.body as { error: { code: string } }).error.code).toBe("MAILING_NOT_EDITABLE");
    const progress = await waitFor(
      () => ok<{ status: string; sent: number; total: number }>(admin.get(`/api/mailings/${m.id}/progress`)),
      (p) => p.status === "finished",
    );
    expect(progress).toMatchObject({ status: "finished", sent: 4, total: 4 });
    const outbox = await ok<Page<OutboxItem>>(admin.get(`/api/outbox?mailingId=${m.id}`));
    const ola = outbox.items.find((i) => i.to === "ola@example.no")!;
    const message = await ok<{ raw: string; subject: string }>(admin.get(`/api/outbox/${ola.id}`));
    expect(message.subject).toBe("Hei Ola Bcc: spion@example.com");
    const headers = message.raw.split("\r\n\r\n")[0]!;
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers).toMatch(/^To: "Ola Bcc: spion@example.com Test" <ola@example.no>$/m);
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
  });

  it("unsubscribes through the message's own link: GET changes nothing, the one-click POST withdraws consent once", async () => {
    const leaving = await ok<{ id: number }>(
      admin.send("POST", "/api/persons", { firstName: "Siri", emails: [{ address: "siri@example.no" }] }),
      201,
    );
    const m = await draft();
    await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: leaving.id }));
    await ok(admin.send("POST", `/api/mailings/${m.id}/send`));
    await waitFor(
      () => ok<{ status: string }>(admin.get(`/api/mailings/${m.id}/progress`)),
      (p) => p.status === "finished",
    );
    const outbox = await ok<Page<OutboxItem>>(admin.get(`/api/outbox?mailingId=${m.id}`));
    const message = await ok<{ headers: Array<{ key: string; value: string }> }>(
      admin.get(`/api/outbox/${outbox.items[0]!.id}`),
    );
    const header = message.headers.find((h) => h.key === "list-unsubscribe")!.value;
    const url = new URL(/<(http[^>]+)>/.exec(header)![1]!);
    const path = url.pathname;
    const page = await request(server.url, "GET", path);
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('<form method="post">');
    const consents = async () =>
      (
        await ok<{ consents: Array<{ purpose: string; legalBasis: string }> }>(
          admin.get(`/api/persons/${leaving.id}`),
        )
      ).consents;
    expect(await consents()).toEqual([]);
    const oneClick = await request(server.url, "POST", path, {
      body: "List-Unsubscribe=One-Click",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(oneClick.status).toBe(200);
    expect(await consents()).toEqual([
      expect.objectContaining({ purpose: "e-marketing", legalBasis: "withdrawn" }),
    ]);
    const again = await request(server.url, "POST", path, {
      body: "List-Unsubscribe=One-Click",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(again.status).toBe(200);
    const history = await ok<{ items: Array<{ source: string }> }>(
      admin.get(`/api/persons/${leaving.id}/consent-history`),
    );
    expect(history.items.filter((h) => h.source === "unsubscribe-link")).toHaveLength(1);
    const events = await server.server.handle.db
      .selectFrom("events")
      .select("kind")
      .where("mailing_id", "=", m.id)
      .where("kind", "=", "unsubscribed")
      .execute();
    expect(events).toHaveLength(1);
    const online = await request(server.url, "GET", path.replace("/u/", "/v/"));
    expect(online.status).toBe(200);
    expect(String(online.body)).toContain("Hei Siri");
    // View online is the sent HTML: it carries the recipient's language and the subject as its title.
    expect(String(online.body)).toMatch(/<html lang="nb"[^>]*>[\s\S]*<title>[^<]+<\/title>/);
    expect(online.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect((await request(server.url, "GET", `${path.replace("/u/", "/v/").slice(0, -2)}xx`)).status).toBe(
      404,
    );
    const forged = await request(server.url, "POST", `${path.slice(0, -2)}xx`, {
      body: "List-Unsubscribe=One-Click",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(forged.status).toBe(404);
    // A later mailing to the same person blocks them.
    const next = await draft({ options: { overrideConsent: true } });
    const after = await ok<Mailing>(
      admin.send("POST", `/api/mailings/${next.id}/sources`, { kind: "person", refId: leaving.id }),
    );
    expect(after.recipients.blocked).toEqual({ "consent-withdrawn": 1 });
  });

  it("schedules in a time zone and stores the moment in UTC; refuses a past time and an unknown zone", async () => {
    const m = await draft();
    await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: personIds[0] }));
    const scheduled = await ok<Mailing>(
      admin.send("POST", `/api/mailings/${m.id}/schedule`, {
        date: "2099-06-01",
        time: "09:00",
        timeZone: "Europe/Oslo",
      }),
    );
    expect(scheduled).toMatchObject({ status: "scheduled", scheduledAt: "2099-06-01T07:00:00.000Z" });
    const winter = await ok<Mailing>(
      admin.send("POST", `/api/mailings/${m.id}/schedule`, {
        date: "2099-01-15",
        time: "09:00",
        timeZone: "Europe/Oslo",
      }),
    );
    expect(winter.scheduledAt).toBe("2099-01-15T08:00:00.000Z");
    const past = await admin.send("POST", `/api/mailings/${m.id}/schedule`, {
      date: "2001-01-01",
      time: "09:00",
      timeZone: "Europe/Oslo",
    });
    expect(past.status).toBe(400);
    const zone = await admin.send("POST", `/api/mailings/${m.id}/schedule`, {
      date: "2099-01-01",
      time: "09:00",
      timeZone: "Mars/Olympus",
    });
    expect(
      (zone.body as { error: { details: { fields: Array<{ field: string }> } } }).error.details.fields[0]!
        .field,
    ).toBe("timeZone");
    expect((await ok<Mailing>(admin.send("POST", `/api/mailings/${m.id}/unschedule`))).status).toBe("draft");
    const pause = await admin.send("POST", `/api/mailings/${m.id}/pause`);
    expect((pause.body as { error: { code: string } }).error.code).toBe("MAILING_WRONG_STATUS");
  });

  it("starts a scheduled mailing when its time comes", async () => {
    const m = await draft();
    await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: personIds[0] }));
    await ok(
      admin.send("POST", `/api/mailings/${m.id}/schedule`, {
        date: "2099-06-01",
        time: "09:00",
        timeZone: "UTC",
      }),
    );
    // Move the moment into the past, as the clock would.
    await server.server.handle.db
      .updateTable("mailings")
      .set({ scheduled_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", m.id)
      .execute();
    const finished = await waitFor(
      () => ok<Mailing>(admin.get(`/api/mailings/${m.id}`)),
      (x) => x.status === "finished",
    );
    expect(finished.status).toBe("finished");
  });

  it("lets a person resolve an unknown delivery: mark as sent, or send again as a new attempt", async () => {
    const m = await draft();
    for (const id of personIds.slice(0, 2))
      await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: id }));
    await ok(admin.send("POST", `/api/mailings/${m.id}/send`));
    await waitFor(
      () => ok<{ status: string }>(admin.get(`/api/mailings/${m.id}/progress`)),
      (p) => p.status === "finished",
    );
    const db = server.server.handle.db;
    const deliveries = await db
      .selectFrom("deliveries")
      .select(["id", "message_id"])
      .where("mailing_id", "=", m.id)
      .orderBy("id")
      .execute();
    await db.updateTable("deliveries").set({ status: "unknown" }).where("mailing_id", "=", m.id).execute();
    const [first, second] = deliveries;
    const wrong = await admin.send("POST", `/api/deliveries/${first!.id}/mark-sent`);
    expect(wrong.status).toBe(204);
    expect((await admin.send("POST", `/api/deliveries/${first!.id}/mark-sent`)).status).toBe(409);
    const again = await ok<{ deliveryId: number }>(
      admin.send("POST", `/api/deliveries/${second!.id}/send-again`),
    );
    await waitFor(
      () => ok<{ status: string }>(admin.get(`/api/mailings/${m.id}/progress`)),
      (p) => p.status === "finished",
    );
    const attempt2 = await db
      .selectFrom("deliveries")
      .selectAll()
      .where("id", "=", again.deliveryId)
      .executeTakeFirstOrThrow();
    expect(attempt2).toMatchObject({ attempt: 2, status: "sent" });
    expect(attempt2.message_id).toBe(second!.message_id!.replace(".a1@", ".a2@"));
    const unknown = await ok<Page<{ status: string }>>(
      admin.get(`/api/mailings/${m.id}/deliveries?status=unknown`),
    );
    expect(unknown.total).toBe(1);
  });

  it("keeps attachments under 25 MB together and sends them along", async () => {
    const m = await draft();
    const upload = (name: string, bytes: number) =>
      request(server.url, "POST", `/api/mailings/${m.id}/attachments?filename=${encodeURIComponent(name)}`, {
        body: "x".repeat(bytes),
        headers: { authorization: `Bearer ${key}`, "content-type": "application/pdf" },
      });
    const key = ((await admin.send("POST", "/api/api-keys", { name: "vedlegg" })).body as { key: string })
      .key;
    expect((await upload("program.pdf", 2000)).status).toBe(201);
    const text = await request(server.url, "POST", `/api/mailings/${m.id}/attachments?filename=les-meg.txt`, {
      body: '{"not": "parsed"}',
      headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" },
    });
    expect(text.status).toBe(201);
    expect((await upload("stor.pdf", 25 * 1024 * 1024 - 1000)).status).toBe(413);
    expect((await upload("../etc/passwd", 10)).status).toBe(400);
    const list = await ok<{ items: Array<{ filename: string; size: number }>; totalSize: number }>(
      admin.get(`/api/mailings/${m.id}/attachments`),
    );
    expect(list.items).toEqual([
      expect.objectContaining({ filename: "program.pdf", size: 2000 }),
      expect.objectContaining({ filename: "les-meg.txt", contentType: "text/plain", size: 17 }),
    ]);
    await ok(admin.send("POST", `/api/mailings/${m.id}/test`, { addresses: "vedlegg@example.no" }));
    const outbox = await ok<Page<OutboxItem>>(admin.get(`/api/outbox?mailingId=${m.id}`));
    const message = await ok<{ raw: string }>(admin.get(`/api/outbox/${outbox.items[0]!.id}`));
    expect(message.raw).toMatch(/filename="?program\.pdf/);
  });

  it("refuses reserved and empty attachment names, and strips bidi and control characters from the name sent", async () => {
    const m = await draft();
    const key = ((await admin.send("POST", "/api/api-keys", { name: "navn" })).body as { key: string }).key;
    const upload = (name: string) =>
      request(server.url, "POST", `/api/mailings/${m.id}/attachments?filename=${encodeURIComponent(name)}`, {
        body: "innhold",
        headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" },
      });
    for (const name of [".", "..", "CON", "con.txt", "<script>.txt", "\u202E\u0007", "notat. "]) {
      const refused = await upload(name);
      expect(refused.status, JSON.stringify(name)).toBe(400);
      const fields = (refused.body as { error: { details: { fields: Array<{ field: string }> } } }).error
        .details.fields;
      expect(fields[0]?.field).toBe("filename");
    }
    expect((await upload("tilbud\u202Efdp.txt")).status).toBe(201);
    expect((await upload("pa\u030Amelding\r\n.txt")).status).toBe(201);
    const list = await ok<{ items: Array<{ filename: string }> }>(
      admin.get(`/api/mailings/${m.id}/attachments`),
    );
    expect(list.items.map((i) => i.filename)).toEqual(["tilbudfdp.txt", "påmelding.txt"]);
    await ok(admin.send("POST", `/api/mailings/${m.id}/test`, { addresses: "navn@example.no" }));
    const outbox = await ok<Page<OutboxItem>>(admin.get(`/api/outbox?mailingId=${m.id}`));
    const message = await ok<{ raw: string }>(admin.get(`/api/outbox/${outbox.items[0]!.id}`));
    const parsed = await PostalMime.parse(message.raw);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(["tilbudfdp.txt", "påmelding.txt"]);
  });

  it("copies a mailing, saves and applies templates, and lists mailings on their selection and project", async () => {
    const selection = await ok<{ id: number }>(
      admin.send("POST", "/api/selections", { name: "Mottakere", kind: "static" }),
      201,
    );
    const project = await ok<{ id: number }>(
      admin.send("POST", "/api/projects", { name: "Konferanse" }),
      201,
    );
    const m = await draft({ selectionId: selection.id, projectId: project.id });
    const template = await ok<{ id: number }>(
      admin.send("POST", `/api/mailings/${m.id}/save-as-template`, { name: "Standard" }),
      201,
    );
    const copy = await ok<Mailing & { name: string }>(admin.send("POST", `/api/mailings/${m.id}/copy`), 201);
    expect(copy.name).toBe("Kampanje (kopi)");
    const blank = await ok<Mailing & { content: string | null }>(
      admin.send("POST", "/api/mailings", { name: "Tom" }),
      201,
    );
    const applied = await ok<{ content: string; subject: string }>(
      admin.send("POST", `/api/mailings/${blank.id}/apply-template`, { templateId: template.id }),
    );
    expect(applied.subject).toBe("Hei [[customer.firstname]]");
    const onSelection = await ok<{ items: Array<{ id: number }> }>(
      admin.get(`/api/selections/${selection.id}/mailings`),
    );
    expect(onSelection.items.map((i) => i.id)).toEqual(expect.arrayContaining([m.id, copy.id]));
    const onProject = await ok<{ items: Array<{ id: number }> }>(
      admin.get(`/api/projects/${project.id}/activities`),
    );
    expect(onProject.items.map((i) => i.id)).toContain(m.id);
  });

  it("keeps SMS templates apart from e-mail ones: saved from an SMS mailing, listed by type, applied only to SMS", async () => {
    const sms = await ok<{ id: number }>(
      admin.send("POST", "/api/mailings", {
        name: "Vårsalg SMS",
        type: "sms",
        smsText: "Hei [[customer.firstname]]! 20 % i dag. Svar STOPP",
        smsNormalize: true,
        smsOptOutLine: "Svar STOPP for å melde deg av",
      }),
      201,
    );
    const template = await ok<{ id: number; type: string; contentFormat: string; smsText: string }>(
      admin.send("POST", `/api/mailings/${sms.id}/save-as-template`, { name: "Vårsalg" }),
      201,
    );
    expect(template).toMatchObject({
      type: "sms",
      contentFormat: "text",
      smsText: "Hei [[customer.firstname]]! 20 % i dag. Svar STOPP",
      smsNormalize: true,
      smsOptOutLine: "Svar STOPP for å melde deg av",
      subject: null,
    });
    const smsList = await ok<{ items: Array<{ id: number; type: string }> }>(
      admin.get("/api/templates?type=sms"),
    );
    expect(smsList.items.map((i) => i.id)).toContain(template.id);
    expect(smsList.items.every((i) => i.type === "sms")).toBe(true);
    const emailList = await ok<{ items: Array<{ id: number; type: string }> }>(
      admin.get("/api/templates?type=email"),
    );
    expect(emailList.items.map((i) => i.id)).not.toContain(template.id);
    expect(emailList.items.length).toBeGreaterThan(0);

    const blank = await ok<{ id: number }>(
      admin.send("POST", "/api/mailings", { name: "Ny SMS", type: "sms" }),
      201,
    );
    const applied = await ok<{ smsText: string; smsNormalize: boolean; smsOptOutLine: string | null }>(
      admin.send("POST", `/api/mailings/${blank.id}/apply-template`, { templateId: template.id }),
    );
    expect(applied).toMatchObject({
      smsText: "Hei [[customer.firstname]]! 20 % i dag. Svar STOPP",
      smsNormalize: true,
      smsOptOutLine: "Svar STOPP for å melde deg av",
    });

    const email = await ok<{ id: number }>(admin.send("POST", "/api/mailings", { name: "E-post" }), 201);
    const mismatch = await admin.send("POST", `/api/mailings/${email.id}/apply-template`, {
      templateId: template.id,
    });
    expect(mismatch.status).toBe(400);
    expect(JSON.stringify(mismatch.body)).toContain("is an SMS template; this is an e-mail mailing");
    const emailTemplate = emailList.items[0]!;
    const backwards = await admin.send("POST", `/api/mailings/${blank.id}/apply-template`, {
      templateId: emailTemplate.id,
    });
    expect(backwards.status).toBe(400);

    // Created directly: an SMS template needs its text and takes none of the e-mail fields, and the reverse.
    const noText = await admin.send("POST", "/api/templates", { name: "Tom", type: "sms" });
    expect(noText.status).toBe(400);
    expect(JSON.stringify(noText.body)).toContain("smsText");
    const mixed = await admin.send("POST", "/api/templates", {
      name: "Blandet",
      type: "sms",
      smsText: "Hei",
      content: "<p>Hei</p>",
    });
    expect(mixed.status).toBe(400);
    expect(JSON.stringify(mixed.body)).toContain("content");
    const emailWithSms = await admin.send("POST", "/api/templates", {
      name: "E-post med SMS",
      contentFormat: "html",
      content: "<p>Hei</p>",
      smsText: "Hei",
    });
    expect(emailWithSms.status).toBe(400);
    const smsCreated = await ok<{ type: string; content: string }>(
      admin.send("POST", "/api/templates", {
        name: "Påminnelse",
        type: "sms",
        smsText: "Husk kurset i morgen!",
      }),
      201,
    );
    expect(smsCreated).toMatchObject({ type: "sms", content: "Husk kurset i morgen!", smsOptOutLine: null });
  });

  it("lets only users with the right override consent, send, or manage sending settings", async () => {
    const marketer = await userWithRole(server, admin, "marketer");
    const viewer = await userWithRole(server, admin, "viewer");
    const override = await marketer.send("POST", "/api/mailings", {
      name: "X",
      options: { overrideConsent: true },
    });
    expect(override.status).toBe(403);
    expect((override.body as { error: { details: { right: string } } }).error.details.right).toBe(
      "overrideConsent",
    );
    expect((await marketer.send("POST", "/api/mailings", { name: "X" })).status).toBe(201);
    expect((await marketer.send("POST", "/api/sending-domains", { domain: "marketer.example" })).status).toBe(
      403,
    );
    const m = await draft();
    expect((await viewer.send("POST", `/api/mailings/${m.id}/send`)).status).toBe(403);
    expect((await viewer.get(`/api/mailings/${m.id}`)).status).toBe(200);
    const accounts = await ok<{ items: Array<Record<string, unknown>> }>(
      marketer.get("/api/sending-accounts"),
    );
    expect(accounts.items.every((a) => !("password" in a))).toBe(true);
  });
});
