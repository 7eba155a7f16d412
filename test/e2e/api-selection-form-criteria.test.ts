// A dynamic selection on form behaviour over the API on a real server: saved with the criterion, its members counted,
// the preview agreeing; an unknown form and a bad period refused with the criterion's index and field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FormSubmissionStatus } from "../../src/db/schema.ts";
import { aForm } from "../../src/forms/test-builders.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

describe.each(await testDialects())("selections by form behaviour over HTTP on %s", (dialect) => {
  let server: TestServer;
  let api: ApiClient;
  const db = () => server.server.handle.db;
  let formId: number;
  let otherFormId: number;

  async function submitted(form: number, personId: number, status: FormSubmissionStatus, confirmed: boolean) {
    const now = new Date().toISOString();
    await db()
      .insertInto("form_submissions")
      .values({
        form_id: form,
        version: 1,
        answers: "{}",
        email_lower: null,
        ip: null,
        user_agent: null,
        submitted_at: now,
        status,
        reject_reason: null,
        person_id: personId,
        company_id: null,
        prefill_person_id: null,
        confirm_sent_at: confirmed ? now : null,
        confirm_expires_at: null,
        confirmed_at: confirmed ? now : null,
        processed_at: status === "processed" ? now : null,
        processed_by: null,
      })
      .execute();
  }

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    formId = (await aForm(db(), { doubleOptIn: true })).id;
    otherFormId = (await aForm(db())).id;
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map((n) => aPerson(db(), { firstName: `P${n}` })));
    await submitted(formId, a!.id, "processed", true);
    await submitted(formId, b!.id, "submitted", true);
    await submitted(formId, c!.id, "awaiting-confirmation", false);
    await submitted(otherFormId, d!.id, "processed", false);
  });
  afterAll(async () => server?.close());

  it("saves a selection on a form's confirmed submissions and counts its members", async () => {
    const criteria = {
      match: "all",
      criteria: [{ type: "form", formId, status: "confirmed", lastDays: 30 }],
    };
    const selection = await ok<{ id: number; criteria: unknown }>(
      api.send("POST", "/api/selections", { name: "Bekreftet", kind: "dynamic", criteria }),
      201,
    );
    expect(selection.criteria).toEqual(criteria);
    const members = await ok<{ total: number }>(api.get(`/api/selections/${selection.id}/members`));
    expect(members.total).toBe(2);
    const preview = await ok<{ total: number }>(api.send("POST", "/api/selections/preview", { criteria }));
    expect(preview.total).toBe(2);
    // Any form, processed: one on each form.
    const any = await ok<{ total: number }>(
      api.send("POST", "/api/selections/preview", {
        criteria: { match: "all", criteria: [{ type: "form", status: "processed" }] },
      }),
    );
    expect(any.total).toBe(2);
  });

  it("refuses an unknown form naming the criterion's index and field", async () => {
    const response = await api.send("POST", "/api/selections", {
      name: "Ukjent",
      kind: "dynamic",
      criteria: {
        match: "all",
        criteria: [
          { type: "interest", op: "has", interest: "x" },
          { type: "form", formId: 987_654, status: "submitted" },
        ],
      },
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.body).toMatchObject({
      error: { code: "REFERENCE_NOT_FOUND", details: { field: "criteria.criteria[1].formId" } },
    });
  });

  it("refuses a period given both ways, and a status that is none", async () => {
    const both = await api.send("POST", "/api/selections/preview", {
      criteria: {
        match: "all",
        criteria: [{ type: "form", status: "submitted", from: "2026-01-01", lastDays: 3 }],
      },
    });
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({
      error: { code: "VALIDATION_FAILED", details: { fields: [{ field: "criteria.criteria[0].lastDays" }] } },
    });
    const bad = await api.send("POST", "/api/selections/preview", {
      criteria: { match: "all", criteria: [{ type: "form", status: "opened" }] },
    });
    expect(bad.status).toBe(400);
  });
});
