// Fastify serializes each mailing response with its schema and drops any field the schema lacks. Here every read
// route answers exactly what the function behind it returns, so a field added to a function but not to
// mailings/api-schemas.ts fails instead of silently vanishing from the API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { listDeliveries, mailingProgress } from "../../src/mailings/actions.ts";
import { mergeVariableMenu } from "../../src/mailings/merge-variable-menu.ts";
import { listRecipients, listSources } from "../../src/mailings/recipients.ts";
import { getMailing, listMailings } from "../../src/mailings/store.ts";
import { getTemplate, listAttachments, listTemplates } from "../../src/mailings/templates.ts";
import { followUpRecipients } from "../../src/track/follow-up.ts";
import { listLinks, listRegisteredLinks } from "../../src/track/link-admin.ts";
import { mailingStatistics } from "../../src/track/stats.ts";
import { testDialects } from "../helpers/dialects.ts";
import {
  type ApiClient,
  ok,
  request,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";

/** What the function returned, as JSON would carry it. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe.each(await testDialects())(
  "mailing responses carry every field their function returns on %s",
  (dialect) => {
    let server: TestServer;
    let admin: ApiClient;
    let db: Db;
    let sent: number;
    let draft: number;
    let template: number;

    beforeAll(async () => {
      server = await startTestServer({ dialect });
      db = server.server.handle.db;
      admin = await signIn(server.url, server.adminEmail, server.adminPassword);
      await ok(admin.send("POST", "/api/sending-domains", { domain: "svar.example" }), 201);
      const create = async (name: string) =>
        (
          await ok<{ id: number }>(
            admin.send("POST", "/api/mailings", {
              name,
              subject: "Hei [[customer.firstname]]",
              fromAddress: "post@svar.example",
              goalCategory: "loyalty",
              content:
                '<p>Hei</p><a href="https://fjordlys.example/vår">Våren</a><a href="[[link.unsubscribe]]">Meld av</a>',
            }),
            201,
          )
        ).id;
      const addresses = async (id: number) =>
        ok(
          admin.send("POST", `/api/mailings/${id}/sources`, {
            kind: "addresses",
            consentConfirmed: true,
            addresses: [{ email: "kari@example.no", name: "Kari" }, { email: "ola@example.no" }],
          }),
        );
      await ok(
        admin.send("POST", "/api/registered-links", { url: "https://fjordlys.example/vår", name: "Vår" }),
        201,
      );
      sent = await create("Sendt");
      await addresses(sent);
      await ok(admin.send("POST", `/api/mailings/${sent}/send`));
      await untilFinished(admin, sent);
      draft = await create("Utkast");
      await addresses(draft);
      const key = ((await admin.send("POST", "/api/api-keys", { name: "vedlegg" })).body as { key: string })
        .key;
      const upload = await request(
        server.url,
        "POST",
        `/api/mailings/${draft}/attachments?filename=program.pdf`,
        {
          body: "x".repeat(100),
          headers: { authorization: `Bearer ${key}`, "content-type": "application/pdf" },
        },
      );
      expect(upload.status).toBe(201);
      template = (
        await ok<{ id: number }>(
          admin.send("POST", `/api/mailings/${draft}/save-as-template`, { name: "Mal" }),
          201,
        )
      ).id;
    });
    afterAll(async () => server.close());

    it("a mailing, with its steps and counts, and the list of mailings", async () => {
      for (const id of [sent, draft])
        expect(await ok(admin.get(`/api/mailings/${id}`))).toEqual(asJson(await getMailing(db, id)));
      expect(await ok(admin.get("/api/mailings?limit=10"))).toEqual(
        asJson(await listMailings(db, {}, { limit: 10, offset: 0 })),
      );
    });

    it("a mailing with every kind of accessibility warning, one of them dismissed", async () => {
      const faulty = await ok<{ id: number }>(
        admin.send("POST", "/api/mailings", {
          name: "Bare bilde",
          subject: "Nyhetsbrev",
          fromAddress: "post@svar.example",
          content:
            '<img src="https://cdn.example/salg.jpg"><p style="color:#999">Salg</p><a href="https://fjordlys.example/salg">Klikk her</a>',
        }),
        201,
      );
      const dismissed = await ok<{ accessibilityWarnings: Array<{ code: string; dismissed: boolean }> }>(
        admin.send("PUT", `/api/mailings/${faulty.id}/dismissed-warnings`, {
          key: "vague-subject:nyhetsbrev",
          dismissed: true,
        }),
      );
      expect(dismissed.accessibilityWarnings.map((w) => [w.code, w.dismissed])).toEqual([
        ["image-without-alt", false],
        ["low-contrast-text", false],
        ["vague-link-text", false],
        ["vague-subject", true],
        ["image-only-email", false],
      ]);
      expect(dismissed).toEqual(asJson(await getMailing(db, faulty.id)));
      const stale = await admin.send("PUT", `/api/mailings/${faulty.id}/dismissed-warnings`, {
        key: "vague-subject:noe annet",
        dismissed: true,
      });
      expect(stale.status).toBe(400);
    });

    it("sources and recipients", async () => {
      expect(await ok(admin.get(`/api/mailings/${draft}/sources`))).toEqual(
        asJson({ items: await listSources(db, draft) }),
      );
      expect(await ok(admin.get(`/api/mailings/${draft}/recipients`))).toEqual(
        asJson(await listRecipients(db, draft, {}, { limit: 50, offset: 0 })),
      );
    });

    it("progress and deliveries", async () => {
      expect(await ok(admin.get(`/api/mailings/${sent}/progress`))).toEqual(
        asJson(await mailingProgress(db, sent)),
      );
      const deliveries = await listDeliveries(db, sent, {}, { limit: 50, offset: 0 });
      expect(deliveries.items.length).toBe(2);
      expect(await ok(admin.get(`/api/mailings/${sent}/deliveries`))).toEqual(asJson(deliveries));
    });

    it("templates, attachments and the merge-field menu", async () => {
      expect(await ok(admin.get("/api/templates"))).toEqual(asJson({ items: await listTemplates(db) }));
      expect(await ok(admin.get(`/api/templates/${template}`))).toEqual(
        asJson(await getTemplate(db, template)),
      );
      expect(await ok(admin.get(`/api/mailings/${draft}/attachments`))).toEqual(
        asJson(await listAttachments(db, draft)),
      );
      expect(await ok(admin.get("/api/merge-variables"))).toEqual(asJson(await mergeVariableMenu(db)));
    });

    it("statistics, tracked links, the follow-up list and registered links", async () => {
      expect(await ok(admin.get(`/api/mailings/${sent}/statistics`))).toEqual(
        asJson(await mailingStatistics(db, sent)),
      );
      const links = await listLinks(db, sent);
      expect(links.length).toBeGreaterThan(0);
      expect(await ok(admin.get(`/api/mailings/${sent}/links`))).toEqual(asJson(links));
      expect(await ok(admin.get(`/api/mailings/${sent}/follow-up`))).toEqual(
        asJson(await followUpRecipients(db, sent, { filters: [] }, { limit: 100, offset: 0 })),
      );
      expect(await ok(admin.get("/api/registered-links"))).toEqual(asJson(await listRegisteredLinks(db)));
    });
  },
);
