// Double opt-in and manual processing over a real server on port 0 and a real SMTP sink (SPEC §9).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleNewSubmission } from "../../src/forms/processing.ts";
import { aForm, aSubmission } from "../../src/forms/test-builders.ts";
import { sendContext } from "../../src/main.ts";
import { loadConfig } from "../../src/shared/config.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { aSendingSetup } from "../helpers/mailings.ts";
import { type ApiClient, request, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

describe.each(await testDialects())("form processing over HTTP on %s", (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let api: ApiClient;
  let accountId: number;
  const db = () => server.server.handle.db;
  const deps = async () => ({
    db: db(),
    config: loadConfig({}, { defaultCountry: "NO" }),
    send: await sendContext(server.server.handle, loadConfig({}, { secret: "" }), server.url),
  });
  const status = async (id: number) =>
    (
      await db()
        .selectFrom("form_submissions")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).status;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    sink = await startSmtpSink();
    accountId = (await aSendingSetup(db(), { host: sink.host, port: sink.port })).account.id;
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it("e-mails the confirmation link; a GET asks without confirming, the POST confirms and processes", async () => {
    const form = await aForm(db(), { doubleOptIn: true, sendingAccountId: accountId });
    const email = `dobbel-${dialect}@example.no`;
    const id = await aSubmission(db(), form.id, { epost: email, etternavn: "Dobbel", samtykke: "on" });
    expect(await handleNewSubmission(await deps(), id)).toBe("awaiting-confirmation");
    const [message] = (await sink.waitFor(1)).filter((m) => m.envelope.to.includes(email));
    expect(message!.parsed!.subject).toBe(`Bekreft innsendingen din: ${form.name}`);
    const link = /https?:\/\/[^\s"<]+\/confirm\/[A-Za-z0-9_.-]+/.exec(message!.parsed!.text ?? "")![0];
    const path = link.slice(server.url.length);
    expect(path).toMatch(new RegExp(`^/f/${form.slug}/confirm/`));

    const page = await request(server.url, "GET", path);
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('<form method="post">');
    expect(String(page.body)).toContain('lang="nb"');
    expect(await status(id)).toBe("awaiting-confirmation");

    const confirmed = await request(server.url, "POST", path, {
      body: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(confirmed.status).toBe(200);
    expect(String(confirmed.body)).toContain("Innsendingen din er bekreftet");
    expect(await status(id)).toBe("processed");
    const again = await request(server.url, "GET", path);
    expect(String(again.body)).toContain("bekreftet");

    const forged = await request(server.url, "GET", `${path.slice(0, -3)}abc`);
    expect(forged.status).toBe(404);
    const otherForm = await aForm(db());
    const wrongSlug = await request(server.url, "GET", path.replace(form.slug, otherForm.slug));
    expect(wrongSlug.status).toBe(404);
  });

  it("an expired link makes the submission expired and offers the form again", async () => {
    const form = await aForm(db(), { doubleOptIn: true, sendingAccountId: accountId, language: "en" });
    const email = `sen-${dialect}@example.no`;
    const id = await aSubmission(db(), form.id, { epost: email, etternavn: "Sen" });
    const before = sink.messages.length;
    await handleNewSubmission(await deps(), id);
    const [message] = (await sink.waitFor(before + 1)).filter((m) => m.envelope.to.includes(email));
    const link = /https?:\/\/[^\s"<]+\/confirm\/[A-Za-z0-9_.-]+/.exec(message!.parsed!.text ?? "")![0];
    await db()
      .updateTable("form_submissions")
      .set({ confirm_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", id)
      .execute();
    const posted = await request(server.url, "POST", link.slice(server.url.length), {
      body: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(posted.status).toBe(410);
    expect(String(posted.body)).toContain("The link has expired");
    expect(String(posted.body)).toContain(`href="${server.url}/f/${form.slug}"`);
    expect(await status(id)).toBe("expired");
  });

  it("manual processing: suggestions aside, link, create and reject each once, with codes for the rest", async () => {
    const form = await aForm(db(), { mode: "manual" });
    const email = `manuell-${dialect}@example.no`;
    const person = await aPerson(db(), { email });
    const base = `/api/forms/${form.id}/submissions`;
    const a = await aSubmission(db(), form.id, { epost: email, fornavn: "M" });
    const linked = await api.send("POST", `${base}/${a}/link`, { personId: person.id });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ id: a, status: "processed", personId: person.id, suggestions: [] });
    const twice = await api.send("POST", `${base}/${a}/link`, { personId: person.id });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({
      error: { code: "FORM_SUBMISSION_WRONG_STATUS", details: { status: "processed" } },
    });

    const b = await aSubmission(db(), form.id, { epost: `ny-${dialect}@example.no`, etternavn: "Ny" });
    const unknown = await api.send("POST", `${base}/${b}/link`, { personId: 999999 });
    expect(unknown.body).toMatchObject({
      error: { code: "REFERENCE_NOT_FOUND", details: { field: "personId" } },
    });
    const created = await api.send("POST", `${base}/${b}/create`);
    expect(created.status).toBe(200);
    expect((created.body as { personId: number }).personId).not.toBe(person.id);

    const c = await aSubmission(db(), form.id, { epost: `spam-${dialect}@example.no` });
    const blank = await api.send("POST", `${base}/${c}/reject`, { reason: "  " });
    expect(blank.status).toBe(400);
    const rejected = await api.send("POST", `${base}/${c}/reject`, { reason: "spam" });
    expect(rejected.body).toMatchObject({ status: "rejected", rejectReason: "spam" });
    const otherForm = await aForm(db(), { mode: "manual" });
    const elsewhere = await api.send("POST", `/api/forms/${otherForm.id}/submissions/${c}/create`);
    expect(elsewhere.status).toBe(404);
    const anonymous = await request(server.url, "POST", `${base}/${c}/create`);
    expect(anonymous.status).toBe(401);
  });

  it("keeps the form settings: the confirmation hours and the overwritable fields, defaults 48 and none", async () => {
    expect(await api.get("/api/settings")).toMatchObject({
      body: { formConfirmHours: 48, formOverwritableFields: [] },
    });
    const saved = await api.send("PUT", "/api/settings", {
      formConfirmHours: 24,
      formOverwritableFields: ["last_name", "custom:3"],
    });
    expect(saved).toMatchObject({
      status: 200,
      body: { formConfirmHours: 24, formOverwritableFields: ["last_name", "custom:3"] },
    });
    const refused = await api.send("PUT", "/api/settings", { formOverwritableFields: ["drop table"] });
    expect(refused.status).toBe(400);
    await api.send("PUT", "/api/settings", { formConfirmHours: 48, formOverwritableFields: [] });
  });
});
