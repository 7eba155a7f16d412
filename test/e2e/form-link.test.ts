// `[[link.form.<slug>]]` in an e-mail mailing (SPEC §9 pre-fill), over a real server on port 0 and a real SMTP sink:
// the insert menu offers each published form, each recipient's message carries their own signed link (never
// rewritten by click tracking), the link opens the hosted page with their first name filled in, a POST from it
// remembers the person as prefill_person_id, and a slug that names no form blocks sending.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { getPage, postPage, publishedForm, stampOf } from "../helpers/forms.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";
import { type SinkMessage, type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const hrefs = (message: SinkMessage) =>
  [...String(message.parsed!.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));

type Problem = { code: string; message: string };
type MailingView = { canSend: boolean; problems: Problem[]; warnings: string[] };

describe.each(await testDialects())("[[link.form.<slug>]] in e-mails on %s", (dialect) => {
  let dns: DnsServer;
  let server: TestServer;
  let sink: SmtpSink;
  let admin: ApiClient;
  let setup: Awaited<ReturnType<typeof aSendingSetup>>;
  const db = (): Db => server.server.handle.db;

  beforeAll(async () => {
    dns = await startDnsServer({ "mottaker.example": { MX: [{ exchange: "mx.mottaker.example" }] } });
    server = await startTestServer({ dialect, config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
    sink = await startSmtpSink();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    setup = await aSendingSetup(db(), { host: sink.host, port: sink.port });
  }, 60_000);

  afterAll(async () => {
    await sink?.close();
    await server?.close();
    await dns?.close();
  });

  it("sends each person their own link to the form, which opens pre-filled and remembers the person", async () => {
    const form = await publishedForm(admin, "Påmelding til sommerfest");
    const menu = await ok<{
      groups: Array<{ group: string; variables: Array<{ path: string; en: string }> }>;
    }>(admin.get("/api/merge-variables"));
    const links = menu.groups.find((g) => g.group === "link")!.variables;
    expect(links).toContainEqual(
      expect.objectContaining({
        path: `link.form.${form.slug}`,
        en: "Form, pre-filled: Påmelding til sommerfest",
      }),
    );

    const kari = await aPerson(db(), { firstName: "Kari", email: `kari-${dialect}@mottaker.example` });
    const ola = await aPerson(db(), { firstName: "Ola", email: `ola-${dialect}@mottaker.example` });
    const content = `<html><body><p>Hei [[customer.firstname]]!</p>
<p><a href="[[link.form.${form.slug}]]">Meld deg på</a></p>
<p><a href="https://fjordlys.example/program">Programmet</a></p>
<p><a href="[[link.unsubscribe]]">Meld deg av</a></p></body></html>`;
    const mailing = await aReadyMailing(db(), setup, [kari.id, ola.id], { content, trackLinks: "all" });
    const view = await ok<MailingView>(admin.get(`/api/mailings/${mailing.id}`));
    expect(view.warnings.filter((w) => w.startsWith("Unknown merge field"))).toEqual([]);
    expect(view.canSend).toBe(true);

    // The preview of Kari shows her own link, as her message will.
    const recipients = await db()
      .selectFrom("mailing_recipients")
      .select(["id", "person_id"])
      .where("mailing_id", "=", mailing.id)
      .execute();
    const kariRow = recipients.find((r) => r.person_id === kari.id)!;
    const preview = await ok<{ html: string; emptyVariables: string[] }>(
      admin.get(`/api/mailings/${mailing.id}/preview?recipientId=${kariRow.id}`),
    );
    expect(preview.emptyVariables).toEqual([]);

    const before = sink.messages.length;
    await ok(admin.send("POST", `/api/mailings/${mailing.id}/send`));
    const got = (await sink.waitFor(before + 2, 15_000)).slice(before);
    await untilFinished(admin, mailing.id);
    const to = (email: string) => got.find((m) => m.envelope.to.includes(email))!;
    const formLinkOf = (message: SinkMessage) =>
      hrefs(message).find((h) => h.startsWith(`${server.url}/f/${form.slug}?t=`));

    const kariLink = formLinkOf(to(`kari-${dialect}@mottaker.example`));
    const olaLink = formLinkOf(to(`ola-${dialect}@mottaker.example`));
    expect(kariLink).toMatch(
      new RegExp(`^${server.url}/f/${form.slug}\\?t=[a-z][0-9a-z]+\\.[A-Za-z0-9_-]{16}$`),
    );
    expect(olaLink).toBeDefined();
    expect(olaLink).not.toBe(kariLink);
    // Click tracking wraps the ordinary link but leaves the form link (like the unsubscribe link) as signed.
    const kariHrefs = hrefs(to(`kari-${dialect}@mottaker.example`));
    expect(kariHrefs.filter((h) => h.includes("/t/c/"))).toHaveLength(1);
    expect(kariHrefs).not.toContain("https://fjordlys.example/program");
    expect(String(to(`kari-${dialect}@mottaker.example`).parsed!.text)).toContain(kariLink);
    expect(preview.html).toContain(`href="${kariLink}"`);

    const path = kariLink!.slice(server.url.length);
    const page = await getPage(server.url, path);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/id="f-fornavn" name="fornavn"[^>]* value="Kari"/);
    // The e-mail address is never filled in from the link.
    expect(page.text).toMatch(/id="f-email" name="email"[^>]* value=""/);
    const olaPage = await getPage(server.url, olaLink!.slice(server.url.length));
    expect(olaPage.text).toMatch(/id="f-fornavn" name="fornavn"[^>]* value="Ola"/);

    const stamp = stampOf(page.text);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const posted = await postPage(server.url, path, {
      email: `kari-${dialect}@mottaker.example`,
      fornavn: "Kari",
      _stamp: stamp,
      website: "",
    });
    expect(posted.status).toBe(200);
    const submission = await db()
      .selectFrom("form_submissions")
      .select(["prefill_person_id", "email_lower"])
      .where("form_id", "=", form.id)
      .executeTakeFirstOrThrow();
    expect(submission).toEqual({
      prefill_person_id: kari.id,
      email_lower: `kari-${dialect}@mottaker.example`,
    });
  }, 60_000);

  it("a [[link.form.<slug>]] whose slug names no form is an unknown merge field that blocks sending", async () => {
    const kari = await aPerson(db(), { firstName: "Kari", email: `kari-ukjent-${dialect}@mottaker.example` });
    const content = `<html><body><p><a href="[[link.form.finnes-ikke]]">Meld deg på</a></p>
<p><a href="[[link.unsubscribe]]">Meld deg av</a></p></body></html>`;
    const mailing = await aReadyMailing(db(), setup, [kari.id], { content });
    const view = await ok<MailingView>(admin.get(`/api/mailings/${mailing.id}`));
    expect(view.warnings).toContain("Unknown merge field [[link.form.finnes-ikke]]");
    expect(view.canSend).toBe(false);
    expect(view.problems).toContainEqual(
      expect.objectContaining({
        code: "unknown-variable",
        message: "Unknown merge field [[link.form.finnes-ikke]]",
      }),
    );
    const refused = await admin.send("POST", `/api/mailings/${mailing.id}/send`);
    expect(refused.status).not.toBe(200);
    expect((refused.body as { error: { code: string } }).error.code).toBe("MAILING_NOT_READY");
    const status = await db()
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe("draft");
  });
});
