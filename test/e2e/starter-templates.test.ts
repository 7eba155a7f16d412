// The twelve starter templates: valid MJML with only known merge fields and the unsubscribe link in the footer,
// shown by the preview, received through a real SMTP sink with every merge tag resolved; copied and applied via the API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyringFromSecret } from "../../src/deliveries/tokens.ts";
import { renderSourceHtml } from "../../src/mailings/content.ts";
import { checkTemplate } from "../../src/mailings/merge-fields.ts";
import { STARTER_KINDS, STARTER_TEMPLATES } from "../../src/mailings/starter-templates.ts";
import { applyStarter } from "../../src/mailings/templates.ts";
import { beginSending } from "../../src/send/planner.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup, sendUntilFinished } from "../helpers/mailings.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const keys = keyringFromSecret("starter-test-secret");

describe("the starter templates", () => {
  it("are the six kinds in Norwegian and English, with distinct keys", () => {
    expect(STARTER_TEMPLATES).toHaveLength(12);
    for (const language of ["nb", "en"])
      expect(STARTER_TEMPLATES.filter((t) => t.language === language).map((t) => t.kind)).toEqual([
        ...STARTER_KINDS,
      ]);
    expect(new Set(STARTER_TEMPLATES.map((t) => t.key)).size).toBe(12);
  });

  for (const starter of STARTER_TEMPLATES)
    it(`${starter.key}: compiles without MJML warnings, uses only known merge fields, has the links in its footer`, async () => {
      const { html, warnings } = await renderSourceHtml("mjml", starter.mjml);
      expect(warnings).toEqual([]);
      for (const source of [starter.mjml, starter.subject]) {
        const check = checkTemplate(source, { customFieldKeys: [] });
        expect(check.errors).toEqual([]);
        expect(check.unknownVariables).toEqual([]);
      }
      // Responsive: MJML's media query for its columns is there.
      expect(html).toMatch(/@media only screen and \(min-width:480px\)/);
      const unsubscribe = html.indexOf('href="[[link.unsubscribe]]"');
      expect(unsubscribe).toBeGreaterThan(0);
      expect(html.indexOf('href="[[link.subscriptions]]"')).toBeGreaterThan(unsubscribe);
      // In the footer: after every other link of the message.
      const lastOther = Math.max(
        ...[...html.matchAll(/href="([^"]+)"/g)]
          .filter((m) => !m[1]!.startsWith("[[link.unsubscribe") && !m[1]!.startsWith("[[link.subscriptions"))
          .map((m) => m.index),
      );
      expect(unsubscribe).toBeGreaterThan(lastOther);
      expect(html).toContain(`lang="${starter.language}"`);
    });
});

describe.each(await testDialects())("starter templates sent on %s", (dialect) => {
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

  it("delivers each of the twelve with its blocks, every merge tag resolved and a working unsubscribe link", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    for (const starter of STARTER_TEMPLATES) {
      const person = await aPerson(t.db, {
        firstName: "Ingrid",
        email: `${starter.key}-${dialect}@example.no`,
        language: starter.language,
      });
      const mailing = await aReadyMailing(t.db, setup, [person.id], { subject: "" });
      const applied = await applyStarter(t.db, mailing.id, starter.key);
      expect(applied.contentFormat).toBe("mjml");
      expect(applied.subject).toBe(starter.subject);
      await beginSending(t.db, mailing.id);
      const before = sink.messages.length;
      await sendUntilFinished(t.db, dialect, keys, mailing.id);
      const got = sink.messages.slice(before);
      expect(got, starter.key).toHaveLength(1);
      const parsed = got[0]!.parsed!;
      const html = parsed.html ?? "";
      const text = parsed.text ?? "";
      expect(html, starter.key).toContain(starter.language === "nb" ? "Hei Ingrid," : "Hi Ingrid,");
      expect(html).toMatch(/href="https:\/\/utsend\.example\/u\/[^"]+"/);
      expect(html).toMatch(/href="https:\/\/utsend\.example\/s\/[^"]+"/);
      expect(html).toContain(starter.language === "nb" ? "Meld deg av" : "Unsubscribe");
      for (const part of [html, text, parsed.subject ?? ""]) {
        expect(part, starter.key).not.toMatch(/\[\[|\[%|<mj-/);
      }
      // Columns, buttons and text of the blocks survive as HTML tables.
      expect(html).toMatch(/class="mj-column-per-\d+/);
      expect(text).toContain(starter.language === "nb" ? "Vennlig hilsen" : "Kind regards");
    }
  });
});

describe("starter templates through the API", () => {
  let server: TestServer;
  let admin: ApiClient;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => server.close());

  it("lists them by language, copies one to an editable saved template, and applies one shown by the preview", async () => {
    const all = await ok<{ items: Array<{ key: string }> }>(admin.get("/api/starter-templates"));
    expect(all.items).toHaveLength(12);
    const nb = await ok<{ items: Array<{ key: string; language: string }> }>(
      admin.get("/api/starter-templates?language=nb"),
    );
    expect(nb.items.map((s) => s.key)).toContain("offer-nb");
    expect(nb.items.every((s) => s.language === "nb")).toBe(true);
    const one = await ok<{ mjml: string }>(admin.get("/api/starter-templates/welcome-en"));
    expect(one.mjml).toContain("[[link.unsubscribe]]");
    expect((await admin.get("/api/starter-templates/nothing-nb")).status).toBe(404);

    const copy = await ok<{ id: number; name: string; content: string; contentFormat: string }>(
      admin.send("POST", "/api/starter-templates/welcome-en/copy", { name: "Our welcome" }),
      201,
    );
    expect(copy).toMatchObject({ name: "Our welcome", contentFormat: "mjml", content: one.mjml });
    // The copy is the user's own: it can be deleted without touching the starter.
    expect((await admin.send("DELETE", `/api/templates/${copy.id}`)).status).toBe(204);
    expect((await admin.get("/api/starter-templates/welcome-en")).status).toBe(200);

    await ok(admin.send("POST", "/api/sending-domains", { domain: "fjordlys.example" }), 201);
    const mailing = await ok<{ id: number }>(
      admin.send("POST", "/api/mailings", {
        name: "Fra startmal",
        type: "email",
        fromName: "Fjordlys",
        fromAddress: "post@fjordlys.example",
      }),
      201,
    );
    const applied = await ok<{ subject: string; content: string; warnings: string[] }>(
      admin.send("POST", `/api/mailings/${mailing.id}/apply-starter`, { key: "invitation-nb" }),
    );
    expect(applied.subject).toBe("Du er invitert");
    expect(applied.content).toContain("<mjml");
    expect(applied.warnings.join(" ")).not.toMatch(/unknown|ukjent/i);
    const preview = await ok<{ html: string; emptyVariables: string[] }>(
      admin.get(`/api/mailings/${mailing.id}/preview`),
    );
    expect(preview.html).toContain("Du er invitert");
    expect(preview.html).toContain("Meld meg på");
    expect(preview.html).toContain("Meld deg av");

    const sms = await ok<{ id: number }>(
      admin.send("POST", "/api/mailings", { name: "SMS", type: "sms" }),
      201,
    );
    const refused = await admin.send("POST", `/api/mailings/${sms.id}/apply-starter`, { key: "offer-en" });
    expect(refused.status).toBe(400);
    expect(
      (refused.body as { error: { details: { fields: Array<{ field: string }> } } }).error.details.fields[0]!
        .field,
    ).toBe("key");
    const unknown = await admin.send("POST", `/api/mailings/${mailing.id}/apply-starter`, {
      key: "nothing-nb",
    });
    expect(unknown.status).toBe(404);
  });
});
