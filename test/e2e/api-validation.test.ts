// Walks every write endpoint with bad input: wrong types, unknown fields, oversize strings, unknown ids, bad ids.
// Each must answer 400/404/409 with the field named, never 500.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FieldProblem } from "../../src/shared/errors.ts";
import { aFormWithSubmission } from "../helpers/form-pages.ts";
import {
  type ApiClient,
  type ApiResponse,
  request,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";

type Ids = {
  person: number;
  company: number;
  selection: number;
  project: number;
  type: number;
  user: number;
  key: number;
  mapping: number;
  mailing: number;
  ready: number;
  sms: number;
  template: number;
  account: number;
  domain: number;
  delivery: number;
  source: number;
  attachment: number;
  link: number;
  registeredLink: number;
  sent: number;
  sentRecipient: number;
  form: number;
  submission: number;
  rejectForm: number;
  rejectSubmission: number;
  /** Ids that only the 404 walk fills in (with unknown ones). */
  image: number;
  block: number;
  /** A starter template's key. */
  starter: string;
};
type Route = {
  method: string;
  path: string;
  /** A body the endpoint accepts (checked first, so each broken variant below differs from a good one). */
  body?: (ids: Ids) => Record<string, unknown>;
  /** Whether the path's ids may be replaced by unknown ones to expect 404. */
  hasId?: boolean;
};

let unique = 0;
const u = () => `${Date.now()}-${++unique}`;

const routes: Route[] = [
  { method: "PATCH", path: "/api/auth/me", body: () => ({ language: "en" }) },
  {
    method: "POST",
    path: "/api/persons",
    body: () => ({ firstName: "Kari", emails: [{ address: `k${u()}@example.no` }], mobile: "41234567" }),
  },
  {
    method: "PATCH",
    path: "/api/persons/{person}",
    hasId: true,
    body: () => ({ title: "Leder", phone: "22 33 44 55" }),
  },
  {
    method: "POST",
    path: "/api/persons/{person}/consents",
    hasId: true,
    body: () => ({ purpose: "e-marketing", legalBasis: "consent" }),
  },
  {
    method: "PUT",
    path: "/api/persons/{person}/subscriptions/{type}",
    hasId: true,
    body: () => ({ status: "subscribed" }),
  },
  {
    method: "POST",
    path: "/api/companies",
    body: () => ({ name: `Firma ${u()}`, email: "post@firma.no", country: "NO" }),
  },
  {
    method: "PATCH",
    path: "/api/companies/{company}",
    hasId: true,
    body: () => ({ city: "Bergen", domain: "firma.no" }),
  },
  { method: "POST", path: "/api/interests", body: () => ({ name: `Interesse ${u()}` }) },
  {
    method: "POST",
    path: "/api/custom-fields",
    body: () => ({ key: `felt${unique++}`, label: "Felt", type: "text" }),
  },
  {
    method: "POST",
    path: "/api/consent-purposes",
    body: () => ({ key: `formal-${unique++}`, name: "Formål" }),
  },
  { method: "POST", path: "/api/subscription-types", body: () => ({ name: `Type ${u()}` }) },
  {
    method: "PATCH",
    path: "/api/subscription-types/{type}",
    hasId: true,
    body: () => ({ description: "Om typen" }),
  },
  {
    method: "POST",
    path: "/api/selections/preview",
    body: () => ({
      criteria: {
        match: "all",
        criteria: [{ type: "field", field: "company.city", op: "eq", value: "Oslo" }],
      },
    }),
  },
  { method: "POST", path: "/api/selections", body: () => ({ name: `Utvalg ${u()}`, kind: "static" }) },
  {
    method: "PATCH",
    path: "/api/selections/{selection}",
    hasId: true,
    body: () => ({ description: "Nytt" }),
  },
  {
    method: "POST",
    path: "/api/selections/{selection}/members",
    hasId: true,
    body: (ids) => ({ personIds: [ids.person] }),
  },
  {
    method: "POST",
    path: "/api/selections/{selection}/members/remove",
    hasId: true,
    body: (ids) => ({ personIds: [ids.person] }),
  },
  {
    method: "POST",
    path: "/api/selections/{selection}/companies",
    hasId: true,
    body: (ids) => ({ companyIds: [ids.company] }),
  },
  { method: "POST", path: "/api/projects", body: () => ({ name: `Prosjekt ${u()}`, status: "planned" }) },
  { method: "PATCH", path: "/api/projects/{project}", hasId: true, body: () => ({ status: "in-progress" }) },
  {
    method: "POST",
    path: "/api/projects/{project}/members",
    hasId: true,
    body: (ids) => ({ personIds: [ids.person] }),
  },
  {
    method: "POST",
    path: "/api/projects/{project}/members/remove",
    hasId: true,
    body: (ids) => ({ personIds: [ids.person] }),
  },
  {
    method: "POST",
    path: "/api/users",
    body: () => ({
      email: `user${u()}@example.no`,
      name: "Ny bruker",
      role: "viewer",
      password: "long-password-1",
    }),
  },
  { method: "PATCH", path: "/api/users/{user}", hasId: true, body: () => ({ name: "Nytt navn" }) },
  { method: "POST", path: "/api/api-keys", body: () => ({ name: "skript" }) },
  { method: "PUT", path: "/api/settings", body: () => ({ consentFilter: true }) },
  {
    method: "POST",
    path: "/api/import-mappings",
    body: () => ({ name: `Mapping ${u()}`, columns: { "E-post": "email" } }),
  },
  { method: "POST", path: "/api/mailings", body: () => ({ name: `Utsendelse ${u()}`, subject: "Hei" }) },
  {
    method: "PATCH",
    path: "/api/mailings/{mailing}",
    hasId: true,
    body: () => ({ subject: "Nytt emne", trackOpens: false }),
  },
  {
    method: "POST",
    path: "/api/mailings/{mailing}/sources",
    hasId: true,
    body: (ids) => ({ kind: "person", refId: ids.person }),
  },
  {
    method: "PUT",
    path: "/api/mailings/{ready}/dismissed-warnings",
    hasId: true,
    // "Hei [[customer.firstname]]" says nothing: the ready mailing's subject is an accessibility warning.
    body: () => ({ key: "vague-subject:hei", dismissed: true }),
  },
  {
    method: "PUT",
    path: "/api/mailings/{ready}/spam-check/dismissed",
    hasId: true,
    // Bringing back a finding that is not dismissed is accepted whatever the content finds.
    body: () => ({ key: "spam:short-text-part", dismissed: false }),
  },
  {
    method: "POST",
    path: "/api/mailings/{ready}/test",
    hasId: true,
    body: () => ({ addresses: "test@example.no; test2@example.no" }),
  },
  {
    method: "POST",
    path: "/api/mailings/{sms}/test-sms",
    hasId: true,
    body: () => ({ numbers: "+4791234567; 912 34 568" }),
  },
  {
    method: "POST",
    path: "/api/mailings/{ready}/schedule",
    hasId: true,
    body: () => ({ date: "2099-01-01", time: "09:00", timeZone: "Europe/Oslo" }),
  },
  {
    method: "POST",
    path: "/api/templates",
    body: () => ({ name: `Mal ${u()}`, contentFormat: "html", content: "<p>Hei</p>" }),
  },
  {
    method: "POST",
    path: "/api/mailings/{ready}/save-as-template",
    hasId: true,
    body: () => ({ name: `Mal ${u()}` }),
  },
  {
    method: "POST",
    path: "/api/mailings/{mailing}/apply-template",
    hasId: true,
    body: (ids) => ({ templateId: ids.template }),
  },
  {
    method: "POST",
    path: "/api/mailings/{mailing}/apply-starter",
    hasId: true,
    body: () => ({ key: "letter-en" }),
  },
  {
    method: "POST",
    path: "/api/saved-blocks",
    body: () => ({
      name: `Blokk ${u()}`,
      mjml: "<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>",
    }),
  },
  {
    method: "PATCH",
    path: "/api/saved-blocks/{block}",
    hasId: true,
    body: () => ({ name: `Omdøpt ${u()}` }),
  },
  { method: "DELETE", path: "/api/saved-blocks/{block}", hasId: true },
  { method: "DELETE", path: "/api/images/{image}", hasId: true },
  {
    method: "POST",
    path: "/api/starter-templates/{starter}/copy",
    body: () => ({ name: `Kopi ${u()}` }),
  },
  {
    method: "POST",
    path: "/api/sending-accounts",
    body: () => ({ name: `Konto ${u()}`, kind: "outbox", ratePerSecond: 5 }),
  },
  {
    method: "PATCH",
    path: "/api/sending-accounts/{account}",
    hasId: true,
    body: () => ({ name: "Omdøpt", maxConnections: 2 }),
  },
  { method: "POST", path: "/api/sending-accounts/{account}/test-connection", hasId: true },
  { method: "POST", path: "/api/sending-domains", body: () => ({ domain: `d${unique++}.example` }) },
  { method: "POST", path: "/api/mailings/{mailing}/copy", hasId: true },
  { method: "POST", path: "/api/mailings/{mailing}/recipients/refresh", hasId: true },
  {
    method: "POST",
    path: "/api/mailings/{mailing}/recipients/check-person",
    hasId: true,
    body: (ids) => ({ personId: ids.person }),
  },
  { method: "POST", path: "/api/mailings/{ready}/send", hasId: true },
  { method: "POST", path: "/api/mailings/{ready}/unschedule", hasId: true },
  { method: "POST", path: "/api/mailings/{ready}/pause", hasId: true },
  { method: "POST", path: "/api/mailings/{ready}/resume", hasId: true },
  { method: "POST", path: "/api/mailings/{ready}/cancel", hasId: true },
  { method: "POST", path: "/api/mailings/{mailing}/edit-again", hasId: true },
  {
    method: "PUT",
    path: "/api/settings/letterhead",
    body: () => ({ companyName: "Fjordlys AS", addressLines: ["Storgata 1", "0155 Oslo"], country: "NO" }),
  },
  { method: "POST", path: "/api/deliveries/{delivery}/mark-sent", hasId: true },
  { method: "POST", path: "/api/deliveries/{delivery}/send-again", hasId: true },
  {
    method: "PUT",
    path: "/api/mailings/{ready}/links/{link}/action",
    hasId: true,
    body: (ids) => ({ action: { kind: "add-to-selection", refId: ids.selection } }),
  },
  { method: "POST", path: "/api/mailings/{ready}/links/{link}/reset-test-clicks", hasId: true },
  {
    method: "POST",
    path: "/api/mailings/{ready}/follow-up/add-to",
    hasId: true,
    body: (ids) => ({ selectionId: ids.selection, filters: "sent", search: "walker" }),
  },
  {
    method: "POST",
    path: "/api/registered-links",
    body: () => ({ url: `https://walker.example/${u()}`, name: "Walker-lenke" }),
  },
  { method: "DELETE", path: "/api/registered-links/{registeredLink}", hasId: true },
  {
    method: "POST",
    path: "/api/mailings/{sent}/resend",
    hasId: true,
    body: (ids) => ({ recipientIds: [ids.sentRecipient] }),
  },
  { method: "POST", path: "/api/mailings/{sent}/reload-and-resend", hasId: true },
  // Addresses nobody has: each action answers with what it changed (nothing), so the good body is accepted again.
  {
    method: "POST",
    path: "/api/blocked-addresses/clear",
    body: () => ({ addresses: ["walker-blocked@example.no"] }),
  },
  {
    method: "POST",
    path: "/api/suppressions/clear",
    body: () => ({ address: "walker-suppressed@example.no" }),
  },
  {
    method: "POST",
    path: "/api/blocked-addresses/correct",
    body: () => ({ address: "walker-old@example.no", newAddress: "walker-new@example.no" }),
  },
  {
    method: "POST",
    path: "/api/blocked-addresses/add-to-selection",
    body: (ids) => ({ addresses: ["walker-blocked@example.no"], selectionId: ids.selection }),
  },
  {
    method: "POST",
    path: "/api/blocked-addresses/add-to-project",
    body: (ids) => ({ addresses: ["walker-blocked@example.no"], projectId: ids.project }),
  },
  {
    method: "POST",
    path: "/api/blocked-addresses/mark-former-employee",
    body: () => ({ addresses: ["walker-blocked@example.no"] }),
  },
  {
    method: "POST",
    path: "/api/blocked-addresses/delete-address",
    body: () => ({ addresses: ["walker-blocked@example.no"] }),
  },
  { method: "DELETE", path: "/api/mailings/{mailing}/sources/{source}", hasId: true },
  { method: "DELETE", path: "/api/mailings/{mailing}/attachments/{attachment}", hasId: true },
  { method: "DELETE", path: "/api/mailings/{mailing}", hasId: true },
  { method: "POST", path: "/api/forms", body: () => ({ name: `Skjema ${u()}`, language: "nb" }) },
  {
    method: "POST",
    path: "/api/forms/preview",
    body: () => ({ definition: { fields: [] }, language: "nb" }),
  },
  { method: "PUT", path: "/api/forms/{form}", body: () => ({ name: "Walker-skjema" }), hasId: true },
  { method: "POST", path: "/api/forms/{form}/publish", hasId: true },
  { method: "POST", path: "/api/forms/{form}/unpublish", hasId: true },
  { method: "DELETE", path: "/api/forms/{form}", hasId: true },
  {
    method: "POST",
    path: "/api/forms/{form}/submissions/{submission}/link",
    body: (ids) => ({ personId: ids.person }),
    hasId: true,
  },
  { method: "POST", path: "/api/forms/{form}/submissions/{submission}/create", hasId: true },
  {
    method: "POST",
    path: "/api/forms/{rejectForm}/submissions/{rejectSubmission}/reject",
    body: () => ({ reason: "Søppel" }),
    hasId: true,
  },
  { method: "DELETE", path: "/api/templates/{template}", hasId: true },
  {
    method: "PUT",
    path: "/api/sending-domains/{domain}/dkim",
    hasId: true,
    body: () => ({ dkimSigner: "relay", relayDkimSelector: "k1" }),
  },
  {
    method: "PUT",
    path: "/api/sending-domains/{domain}/warm-up",
    hasId: true,
    body: () => ({ enabled: true, startPerDay: 500, growth: 1.5, untilPerDay: 100_000 }),
  },
  { method: "POST", path: "/api/sending-domains/{domain}/check", hasId: true },
  { method: "DELETE", path: "/api/sending-domains/{domain}", hasId: true },
  { method: "DELETE", path: "/api/import-mappings/{mapping}", hasId: true },
  { method: "DELETE", path: "/api/persons/{person}", hasId: true },
  { method: "POST", path: "/api/persons/{person}/erase", hasId: true },
  { method: "DELETE", path: "/api/companies/{company}", hasId: true },
  { method: "DELETE", path: "/api/selections/{selection}", hasId: true },
  { method: "DELETE", path: "/api/projects/{project}", hasId: true },
  { method: "DELETE", path: "/api/api-keys/{key}", hasId: true },
  { method: "POST", path: "/api/auth/logout" },
];

let server: TestServer;
let admin: ApiClient;
let ids: Ids;
let spec: {
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
  >;
};
type JsonSchema = {
  maxLength?: number;
  enum?: unknown[];
  pattern?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
};

function maxLengthOf(route: Route, key: string): number {
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, "{}");
  const path = Object.keys(spec.paths).find((p) => shape(p) === shape(route.path));
  const operation = path ? spec.paths[path]?.[route.method.toLowerCase()] : undefined;
  const property = operation?.requestBody?.content["application/json"]?.schema.properties?.[key];
  const variants = [property, ...(property?.anyOf ?? [])];
  const max = variants.find((v) => v?.maxLength)?.maxLength;
  if (max) return max;
  // An enum or a pattern bounds the length too: a long string must still be refused.
  return variants.some((v) => v?.enum || v?.pattern) ? 4999 : 0;
}

function fill(path: string, values: Record<string, number | string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));
}

function errorOf(response: ApiResponse) {
  return (
    response.body as {
      error: { code: string; details: { fields?: FieldProblem[]; field?: string } };
    }
  ).error;
}

function wrongType(value: unknown): unknown {
  if (typeof value === "string") return 12345;
  if (typeof value === "number") return "not-a-number";
  if (typeof value === "boolean") return "maybe";
  if (Array.isArray(value)) return "not-a-list";
  return "not-an-object";
}

async function create(path: string, body: Record<string, unknown>): Promise<number> {
  const response = await admin.send("POST", path, body);
  if (response.status !== 201) throw new Error(`${path}: ${JSON.stringify(response.body)}`);
  return (response.body as { id: number }).id;
}

beforeAll(async () => {
  server = await startTestServer();
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  spec = (await admin.get("/api/openapi.json")).body as typeof spec;
  ids = {
    person: await create("/api/persons", { lastName: "Walker", emails: [{ address: "walker@example.no" }] }),
    company: await create("/api/companies", { name: "Walker AS" }),
    selection: await create("/api/selections", { name: "Walker", kind: "static" }),
    project: await create("/api/projects", { name: "Walker" }),
    type: await create("/api/subscription-types", { name: "Walker type" }),
    user: await create("/api/users", {
      email: "walker-user@example.no",
      name: "W",
      role: "viewer",
      password: "long-password-1",
    }),
    key: await create("/api/api-keys", { name: "walker" }),
    mapping: await create("/api/import-mappings", { name: "Walker", columns: { "E-post": "email" } }),
    mailing: await create("/api/mailings", { name: "Walker" }),
    ready: 0,
    sms: 0,
    template: await create("/api/templates", { name: "Walker", contentFormat: "html", content: "<p>x</p>" }),
    account: await create("/api/sending-accounts", { name: "Walker", kind: "outbox" }),
    domain: await create("/api/sending-domains", { domain: "walker.example" }),
    delivery: 999_998,
    starter: "letter-nb",
    image: 0,
    block: await create("/api/saved-blocks", {
      name: "Walker",
      mjml: "<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>",
    }),
    source: 0,
    attachment: 999_997,
    link: 0,
    sent: 0,
    sentRecipient: 0,
    form: 0,
    submission: 0,
    rejectForm: 0,
    rejectSubmission: 0,
    registeredLink: await create("/api/registered-links", {
      url: "https://walker.example/lib",
      name: "Walker",
    }),
  };
  const person = ids.person;
  ids.ready = await create("/api/mailings", {
    name: "Walker klar",
    subject: "Hei [[customer.firstname]]",
    fromAddress: "post@walker.example",
    content: '<p>Hei</p><a href="https://walker.example/x">X</a><a href="[[link.unsubscribe]]">Meld av</a>',
    sendingAccountId: ids.account,
    options: { overrideConsent: true },
  });
  ids.sms = await create("/api/mailings", {
    name: "Walker SMS",
    type: "sms",
    smsSender: "Walker",
    smsText: "Hei [[customer.firstname]]",
    sendingAccountId: await create("/api/sending-accounts", { name: "Walker SMS", kind: "sms-outbox" }),
  });
  // Two forms with a submission waiting each: one to link (and create), one to reject.
  ({ formId: ids.form, submissionId: ids.submission } = await aFormWithSubmission(
    admin,
    server.server.handle.db,
  ));
  ({ formId: ids.rejectForm, submissionId: ids.rejectSubmission } = await aFormWithSubmission(
    admin,
    server.server.handle.db,
  ));
  // A preview registers the content's links, as sending does.
  await admin.get(`/api/mailings/${ids.ready}/preview`);
  ids.link = ((await admin.get(`/api/mailings/${ids.ready}/links`)).body as Array<{ id: number }>)[0]!.id;
  // A mailing that has gone out (to the outbox), for the follow-up routes.
  ids.sent = ((await admin.send("POST", `/api/mailings/${ids.ready}/copy`)).body as { id: number }).id;
  await admin.send("POST", `/api/mailings/${ids.sent}/sources`, { kind: "person", refId: person });
  const started = await admin.send("POST", `/api/mailings/${ids.sent}/send`);
  if (started.status !== 200) throw new Error(JSON.stringify(started.body));
  await untilFinished(admin, ids.sent);
  ids.sentRecipient = (
    (await admin.get(`/api/mailings/${ids.sent}/follow-up`)).body as { items: Array<{ recipientId: number }> }
  ).items[0]!.recipientId;
  await admin.send("POST", `/api/mailings/${ids.ready}/sources`, { kind: "person", refId: person });
  const withSource = await admin.send("POST", `/api/mailings/${ids.mailing}/sources`, {
    kind: "person",
    refId: person,
  });
  if (withSource.status !== 200) throw new Error(JSON.stringify(withSource.body));
  ids.source = (
    (await admin.get(`/api/mailings/${ids.mailing}/sources`)).body as { items: Array<{ id: number }> }
  ).items[0]!.id;
});
afterAll(async () => server.close());

describe("bad input on every write endpoint", () => {
  it("covers every write route the API documents", async () => {
    const spec = (await admin.get("/api/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => m !== "get")
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "{}")}`),
    );
    const walked = new Set(routes.map((r) => `${r.method} ${r.path.replace(/\{[^}]+\}/g, "{}")}`));
    walked.add("POST /auth/login");
    // Their bodies are files, not JSON: test/e2e/imports.test.ts and test/e2e/api-mailings.test.ts refuse bad files.
    walked.add("POST /api/imports/persons");
    walked.add("POST /api/mailings/{}/attachments");
    // test/e2e/api-images.test.ts refuses files that are not images, too large or too many pixels.
    walked.add("POST /api/images");
    // test/e2e/mailing-imports.test.ts refuses bad recipient files.
    walked.add("POST /api/mailings/{}/imports");
    // test/e2e/documents.test.ts and src/documents/docx-template.test.ts refuse bad Word templates.
    walked.add("PUT /api/mailings/{}/document-template");
    expect(documented.filter((r) => !walked.has(r))).toEqual([]);
  });

  for (const route of routes.filter((r) => r.body)) {
    it(`${route.method} ${route.path}: names the field for wrong types, unknown fields and oversize strings`, async () => {
      const path = fill(route.path, ids);
      const good = route.body!(ids);
      const accepted = await admin.send(route.method, path, good);
      expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);

      for (const [key, value] of Object.entries(route.body!(ids))) {
        const response = await admin.send(route.method, path, {
          ...route.body!(ids),
          [key]: wrongType(value),
        });
        expect(response.status, `${key} ← ${JSON.stringify(wrongType(value))}`).toBe(400);
        const fields = errorOf(response).details.fields ?? [];
        expect(
          fields.some(
            (f) => f.field === key || f.field.startsWith(`${key}.`) || f.field.startsWith(`${key}[`),
          ),
          JSON.stringify(fields),
        ).toBe(true);
        if (typeof value === "string") {
          // One character more than the documented maximum.
          const max = maxLengthOf(route, key);
          expect(max, `${key} has a documented maxLength`).toBeGreaterThan(0);
          const long = await admin.send(route.method, path, {
            ...route.body!(ids),
            [key]: "x".repeat(max + 1),
          });
          if (max + 1 > 1024 * 1024) expect(long.status, `${key} oversize`).toBe(413);
          else {
            expect(long.status, `${key} oversize`).toBe(400);
            expect(errorOf(long).details.fields?.map((f) => f.field)).toContain(key);
          }
        }
      }
      const unknown = await admin.send(route.method, path, { ...route.body!(ids), surprise: 1 });
      expect(unknown.status).toBe(400);
      expect(errorOf(unknown).details.fields?.map((f) => f.field)).toContain("surprise");
      const malformed = await request(server.url, route.method, path, {
        body: "{not json",
        headers: { authorization: `Bearer ${await apiKey()}` },
      });
      expect(malformed.status).toBe(400);
      expect(errorOf(malformed).code).toBe("VALIDATION_FAILED");
    });
  }

  for (const route of routes.filter((r) => r.hasId)) {
    it(`${route.method} ${route.path}: 404 for an unknown id and 400 naming a malformed one`, async () => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const first = names[0]!;
      const missing = await admin.send(
        route.method,
        fill(route.path, { ...ids, [first]: 999_999 }),
        route.body?.(ids),
      );
      expect(missing.status, JSON.stringify(missing.body)).toBe(404);
      expect(errorOf(missing).code).toBe("NOT_FOUND");
      const malformed = await admin.send(
        route.method,
        fill(route.path, { ...ids, [first]: "abc" }),
        route.body?.(ids),
      );
      expect(malformed.status).toBe(400);
      expect(errorOf(malformed).details.fields?.map((f) => f.field)).toContain("id");
    });
  }
});

let key: string | undefined;
async function apiKey(): Promise<string> {
  key ??= ((await admin.send("POST", "/api/api-keys", { name: "malformed-json" })).body as { key: string })
    .key;
  return key;
}

describe("domain rules that the schema cannot see", () => {
  it("names the field for an invalid e-mail, phone, country and domain", async () => {
    const person = await admin.send("POST", "/api/persons", {
      lastName: "X",
      emails: [{ address: "kari@" }],
      mobile: "123",
    });
    expect(person.status).toBe(400);
    expect(errorOf(person).details.fields?.map((f) => f.field)).toEqual(["mobile", "emails[0].address"]);
    const company = await admin.send("POST", "/api/companies", {
      name: "X",
      country: "no",
      domain: "not a domain",
      email: "x",
    });
    expect(errorOf(company).details.fields?.map((f) => f.field)).toEqual(["country", "domain", "email"]);
    const user = await admin.send("POST", "/api/users", {
      email: "bad",
      name: "x",
      role: "viewer",
      password: "short",
    });
    expect(errorOf(user).details.fields?.map((f) => f.field)).toEqual(["email", "password"]);
  });

  // The server's own rules send a kind of their own, so a Norwegian client says them in Norwegian, not "er ugyldig".
  it("gives each rule its own kind, which the Norwegian UI turns into its own sentence", async () => {
    // The web UI's sentence for a kind (web/src/i18n/error-text.test.ts checks how it fills in the params).
    const nbSentences = JSON.parse(
      readFileSync(new URL("../../web/src/i18n/nb.json", import.meta.url), "utf8"),
    ).errors.validation as Record<string, string>;
    const said = (problem: FieldProblem) => nbSentences[problem.kind];
    const key = `fodt${unique++}`;
    await admin.send("POST", "/api/custom-fields", { key, label: "Født", type: "date" });
    const person = await admin.send("POST", "/api/persons", {
      lastName: "Dato",
      mobile: "123",
      customFields: { [key]: "31.12.1990", ukjent: "x" },
    });
    expect(person.status).toBe(400);
    const personFields = errorOf(person).details.fields ?? [];
    expect(personFields).toEqual([
      { field: "mobile", message: expect.any(String), kind: "not-a-mobile" },
      { field: `customFields.${key}`, message: expect.any(String), kind: "not-a-date" },
      {
        field: "customFields.ukjent",
        message: expect.any(String),
        kind: "unknown-reference",
        params: { what: "customField", id: "ukjent" },
      },
    ]);
    expect(personFields.map(said)).toEqual([
      "er ikke et gyldig mobilnummer",
      "må være en dato (ÅÅÅÅ-MM-DD)",
      "finnes ikke ({what} {id})",
    ]);

    const reversed = await admin.send("POST", "/api/selections/preview", {
      criteria: {
        match: "all",
        criteria: [{ type: "form", status: "submitted", from: "2026-03-01", to: "2026-02-01" }],
      },
    });
    expect(reversed.status).toBe(400);
    const [period] = errorOf(reversed).details.fields ?? [];
    expect(period).toEqual({
      field: "criteria.criteria[0].to",
      message: expect.any(String),
      kind: "period-reversed",
    });
    expect(said(period!)).toBe("perioden slutter før den begynner");
  });

  it("names the rule and field of bad pacing settings and a warm-up that would end before it began", async () => {
    const pacing = await admin.send("PUT", "/api/settings", {
      domainPacing: {
        rules: [
          { name: "Google", domains: ["gmail.com"], ratePerSecond: 20, maxInFlight: 10 },
          { name: "Andre", domains: ["gmail.com", "ikke et domene"], ratePerSecond: 5, maxInFlight: null },
        ],
        otherDomains: { ratePerSecond: null, maxInFlight: null },
      },
    });
    expect(pacing.status).toBe(400);
    expect(errorOf(pacing).details.fields).toEqual([
      expect.objectContaining({ field: "domainPacing.rules.1.domains", kind: "conflicts-with" }),
      expect.objectContaining({ field: "domainPacing.rules.1.domains", kind: "not-a-domain" }),
    ]);
    const rate = await admin.send("PUT", "/api/settings", {
      domainPacing: { rules: [], otherDomains: { ratePerSecond: 0, maxInFlight: null } },
    });
    expect(rate.status).toBe(400);
    expect(errorOf(rate).details.fields?.[0]?.field).toMatch(/^domainPacing\.otherDomains\.ratePerSecond/);
    const domain = (await admin.send("POST", "/api/sending-domains", { domain: `warm${unique++}.example` }))
      .body as { id: number };
    const warmUp = await admin.send("PUT", `/api/sending-domains/${domain.id}/warm-up`, {
      enabled: true,
      startPerDay: 500,
      growth: 1.5,
      untilPerDay: 400,
    });
    expect(warmUp.status).toBe(400);
    expect(errorOf(warmUp).details.fields).toEqual([
      expect.objectContaining({
        field: "untilPerDay",
        kind: "conflicts-with",
        params: { values: "startPerDay" },
      }),
    ]);
  });

  it("answers 400 naming the field for a reference to an unknown record in the body", async () => {
    const response = await admin.send("POST", "/api/persons", { lastName: "X", companyId: 424242 });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: "REFERENCE_NOT_FOUND", details: { field: "companyId" } });
    const members = await admin.send("POST", `/api/projects/${ids.project}/members`, {
      personIds: [ids.person, 424242],
    });
    expect(errorOf(members)).toMatchObject({ code: "REFERENCE_NOT_FOUND", details: { field: "personIds" } });
  });

  it("answers 409 for duplicates: a subscription type name, a user's e-mail", async () => {
    await admin.send("POST", "/api/subscription-types", { name: "Dobbel" });
    const again = await admin.send("POST", "/api/subscription-types", { name: "dobbel" });
    expect(again.status).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: "CONFLICT", details: { field: "name" } });
  });

  it("answers 413 for a body over the size limit", async () => {
    const response = await admin.send("POST", "/api/persons", { lastName: "x".repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(413);
  });
});
