// Double opt-in end to end (SPEC §9), on a real server with its own send worker and a real SMTP sink: everything
// set up through the API, then a visitor over plain HTTP — the hosted page, the confirmation mail, a GET of its link
// that changes nothing, the Confirm POST — and what processing leaves: the person, their consent with the
// check-box's words, the selection membership and the form-response mailing with the receipt, escaped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_FILL_MS } from "../../src/forms/abuse.ts";
import { testDialects } from "../helpers/dialects.ts";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { getPage, label, postPage, stampOf } from "../helpers/forms.ts";
import { aSendingSetup } from "../helpers/mailings.ts";
import { type ApiClient, ok, request, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SinkMessage, type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const CONSENT_TEXT = "Ja, Fjordlys kan sende meg nyheter på e-post.";

const CONTENT = `<p>Hei [[form.fornavn]]! Du skrev: [[form.melding]]</p>
[[form.receipt]]
<p><a href="[[link.unsubscribe]]">Meld deg av</a></p>`;

type Submission = { id: number; status: string; personId: number | null };

describe.each(await testDialects())("double opt-in end to end on %s", (dialect) => {
  let dns: DnsServer;
  let sink: SmtpSink;
  let server: TestServer;
  let admin: ApiClient;

  beforeAll(async () => {
    dns = await startDnsServer({ "example.no": { MX: [{ exchange: "mx.example.no" }] } });
    sink = await startSmtpSink();
    server = await startTestServer({ dialect, config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
    await dns?.close();
  });

  /** The first message to the address from `from` on, waited for: processing may send it after the page answered. */
  async function mailTo(address: string, from: number): Promise<SinkMessage> {
    for (let count = from + 1; ; count++) {
      const found = (await sink.waitFor(count, 15_000))
        .slice(from)
        .find((m) => m.envelope.to.some((to) => to.toLowerCase() === address.toLowerCase()));
      if (found) return found;
    }
  }

  it("confirms by POST only, then creates the person with consent and membership and sends the response", async () => {
    // The sending account points at the sink; the rest goes through the API as a user would set it up.
    const { domain, account } = await aSendingSetup(server.server.handle.db, {
      host: sink.host,
      port: sink.port,
    });
    const selection = await ok<{ id: number }>(
      admin.send("POST", "/api/selections", { name: "Fra skjemaet", kind: "static" }),
      201,
    );
    const form = await ok<{ id: number; slug: string }>(
      admin.send("POST", "/api/forms", { name: "Nyhetsbrev", language: "nb" }),
      201,
    );
    const fields = [
      { kind: "mapped", key: "email", maps: "email", label: label("E-post"), required: true, prefill: false },
      {
        kind: "mapped",
        key: "fornavn",
        maps: "first_name",
        label: label("Fornavn"),
        required: true,
        prefill: false,
      },
      {
        kind: "free",
        key: "melding",
        type: "text",
        label: label("Melding"),
        required: false,
        prefill: false,
      },
      {
        kind: "consent",
        key: "samtykke",
        purposeKey: "e-marketing",
        text: label(CONSENT_TEXT, "Yes, send me news by e-mail."),
        label: label("Samtykke"),
        required: true,
      },
    ];
    const mailing = await ok<{ id: number; problems: unknown[] }>(
      admin.send("POST", "/api/mailings", {
        name: "Takk for påmeldingen",
        type: "form",
        formId: form.id,
        subject: "Velkommen, [[form.fornavn]]",
        fromName: "Fjordlys",
        fromAddress: `post@${domain.domain}`,
        sendingAccountId: account.id,
        content: CONTENT,
      }),
      201,
    );
    await ok(
      admin.send("PUT", `/api/forms/${form.id}`, {
        definition: { fields },
        processingMode: "automatic",
        doubleOptIn: true,
        sendingAccountId: account.id,
        actions: {
          addToSelectionIds: [selection.id],
          addToProjectIds: [],
          addInterests: [],
          removeInterests: [],
          subscribeTypeIds: [],
          notifyUserIds: [],
          responseMailingId: mailing.id,
        },
      }),
    );
    // The form's fields are checked at the mailing's Confirm step, so the mailing starts once the form has them.
    const live = await ok<{ status: string }>(admin.send("POST", `/api/mailings/${mailing.id}/send`));
    expect(live.status).toBe("sending");
    await ok(admin.send("POST", `/api/forms/${form.id}/publish`));

    // The visitor: the page, a person's pause, a valid answer.
    const email = `Aase.Dobbel-${dialect}@example.no`;
    const stamp = stampOf((await getPage(server.url, `/f/${form.slug}`)).text);
    await new Promise((resolve) => setTimeout(resolve, MIN_FILL_MS + 100));
    const before = sink.messages.length;
    const thanks = await postPage(server.url, `/f/${form.slug}`, {
      email,
      fornavn: "Åse",
      melding: "<b>Hei</b> & takk",
      samtykke: "on",
      _stamp: stamp,
    });
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain("Vi har mottatt svaret ditt.");

    const confirmation = await mailTo(email, before);
    expect(confirmation.parsed!.subject).toBe("Bekreft innsendingen din: Nyhetsbrev");
    const link = /https?:\/\/[^\s"<]+\/confirm\/[A-Za-z0-9_.-]+/.exec(confirmation.parsed!.text ?? "")![0];
    const path = link.slice(link.indexOf("/f/"));
    expect(path).toMatch(new RegExp(`^/f/${form.slug}/confirm/`));

    const submissions = async () =>
      (await ok<{ submissions: Submission[] }>(admin.get(`/api/forms/${form.id}/submissions`))).submissions;
    const persons = async () =>
      (
        await ok<{ items: Array<{ id: number; email: string | null; firstName: string | null }> }>(
          admin.get(`/api/persons?q=${encodeURIComponent(`aase.dobbel-${dialect}`)}`),
        )
      ).items;
    const [waiting] = await submissions();
    expect(waiting).toMatchObject({ status: "awaiting-confirmation", personId: null });

    // A link scanner's GET only shows the question.
    const question = await request(server.url, "GET", path);
    expect(question.status).toBe(200);
    expect(String(question.body)).toContain('<form method="post">');
    expect(await submissions()).toMatchObject([{ id: waiting!.id, status: "awaiting-confirmation" }]);
    expect(await persons()).toEqual([]);

    const afterConfirmation = sink.messages.length;
    const confirmed = await request(server.url, "POST", path, {
      body: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(confirmed.status).toBe(200);
    expect(String(confirmed.body)).toContain("Innsendingen din er bekreftet");

    // The form-response mailing, sent by the server's own worker through the ledger.
    const response = await mailTo(email, afterConfirmation);
    expect(response.parsed!.subject).toBe("Velkommen, Åse");
    const html = String(response.parsed!.html);
    expect(html).toContain("Hei Åse! Du skrev: &lt;b&gt;Hei&lt;/b&gt; &amp; takk");
    expect(html).not.toContain("<b>Hei</b>");
    expect(html).toMatch(/<th[^>]*>Melding<\/th><td[^>]*>&lt;b&gt;Hei&lt;\/b&gt; &amp; takk<\/td>/);
    expect(html).toMatch(/<th[^>]*>Fornavn<\/th><td[^>]*>Åse<\/td>/);
    expect(html).toMatch(new RegExp(`<th[^>]*>E-post</th><td[^>]*>${email.replace(/\./g, "\\.")}</td>`));
    expect(String(response.parsed!.text)).toContain("Melding: <b>Hei</b> & takk");

    const [processed] = await submissions();
    expect(processed).toMatchObject({ id: waiting!.id, status: "processed" });
    const found = await persons();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ id: processed!.personId, email, firstName: "Åse" });
    const personId = found[0]!.id;

    type Entry = {
      purpose: string | null;
      change: string;
      source: string;
      consentText: string | null;
      formId: number | null;
    };
    const history = await ok<{ items: Entry[] }>(admin.get(`/api/persons/${personId}/consent-history`));
    expect(history.items).toEqual([
      expect.objectContaining({
        purpose: "e-marketing",
        change: "consent",
        source: "form",
        consentText: CONSENT_TEXT,
        formId: form.id,
      }),
    ]);
    const members = await ok<{ items: Array<{ id: number }> }>(
      admin.get(`/api/selections/${selection.id}/members`),
    );
    expect(members.items.map((m) => m.id)).toEqual([personId]);

    // Statistics accumulate on the mailing, which stays live for the next submission.
    const progress = await ok<{ status: string }>(admin.get(`/api/mailings/${mailing.id}`));
    expect(progress.status).toBe("sending");
  }, 60_000);
});
