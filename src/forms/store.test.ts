import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { AppError } from "../shared/errors.ts";
import type { FormField } from "./definition.ts";
import { submissionDetail } from "./manual.ts";
import {
  createForm,
  deleteForm,
  formAndPublishedBySlug,
  formBySlug,
  getForm,
  listForms,
  publishForm,
  unpublishForm,
  updateForm,
} from "./store.ts";
import {
  countRefusal,
  countView,
  formStatistics,
  listSubmissions,
  recentSubmissions,
  storeSubmission,
} from "./submissions.ts";

const label = (text: string) => ({ nb: text, en: text });
const email: FormField = {
  kind: "mapped",
  key: "email",
  maps: "email",
  label: label("E-post"),
  required: true,
  prefill: false,
};
const firstName: FormField = {
  kind: "mapped",
  key: "fornavn",
  maps: "first_name",
  label: label("Fornavn"),
  required: false,
  prefill: true,
};

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe.each(await testDialects())("forms on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("makes a unique slug from the name and refuses a taken one", async () => {
    const a = await createForm(t.db, { name: "Sommerfest 2026", language: "nb" }, null);
    const b = await createForm(t.db, { name: "Sommerfest 2026", language: "nb" }, null);
    expect([a.slug, b.slug]).toEqual(["sommerfest-2026", "sommerfest-2026-2"]);
    expect(a).toMatchObject({ status: "draft", active: false, inactiveReason: "draft", publishedVersion: 0 });
    expect((await errorOf(createForm(t.db, { name: "X", language: "en", slug: a.slug }, null))).code).toBe(
      "CONFLICT",
    );
  });

  it("publishes the draft as version 1, then 2, and visitors' definition stays until the next publish", async () => {
    const form = await createForm(t.db, { name: "Versjoner", language: "nb" }, null);
    await updateForm(t.db, form.id, { definition: { fields: [email] }, processingMode: "automatic" });
    const v1 = await publishForm(t.db, form.id);
    expect(v1).toMatchObject({
      status: "published",
      publishedVersion: 1,
      active: true,
      inactiveReason: null,
    });
    expect((await formAndPublishedBySlug(t.db, form.slug))?.published?.fields).toEqual([email]);
    await updateForm(t.db, form.id, { definition: { fields: [email, firstName] } });
    expect((await getForm(t.db, form.id)).publishedVersion).toBe(1);
    const visitors = await formAndPublishedBySlug(t.db, form.slug);
    expect(visitors?.published?.fields).toEqual([email]);
    expect(visitors?.form.definition.fields).toEqual([email, firstName]);
    expect((await publishForm(t.db, form.id)).publishedVersion).toBe(2);
    const versions = await t.db
      .selectFrom("form_versions")
      .select(["version", "definition"])
      .where("form_id", "=", form.id)
      .orderBy("version")
      .execute();
    expect(versions.map((v) => JSON.parse(v.definition).fields.length)).toEqual([1, 2]);
    expect((await unpublishForm(t.db, form.id)).inactiveReason).toBe("unpublished");
    expect((await formBySlug(t.db, form.slug))?.active).toBe(false);
    expect(await formAndPublishedBySlug(t.db, "ingen-slik")).toBeNull();
    const draft = await createForm(t.db, { name: "Bare utkast", language: "nb" }, null);
    expect(await formAndPublishedBySlug(t.db, draft.slug)).toMatchObject({
      form: { status: "draft" },
      published: null,
    });
  });

  it("refuses a definition with problems, naming each field, and changes nothing", async () => {
    const form = await createForm(t.db, { name: "Feil", language: "en" }, null);
    const error = await errorOf(
      updateForm(t.db, form.id, {
        definition: { fields: [email, { ...firstName, key: "email" }] },
        processingMode: "automatic",
        redirectUrl: "http://example.no",
      }),
    );
    expect(error.code).toBe("VALIDATION_FAILED");
    const fields = (error.details.fields as Array<{ field: string }>).map((f) => f.field);
    expect(fields).toEqual(["redirectUrl", "definition.fields[1].key"]);
    expect((await getForm(t.db, form.id)).definition.fields).toEqual([]);
    const consent: FormField = {
      kind: "consent",
      key: "ok",
      purposeKey: "no-such",
      label: label("Ja"),
      text: label("t"),
      required: false,
    };
    const unknown = await errorOf(updateForm(t.db, form.id, { definition: { fields: [consent] } }));
    expect(unknown.details.fields).toEqual([
      {
        field: "definition.fields[0].purposeKey",
        message: expect.stringContaining("no-such"),
        kind: "unknown-reference",
        params: { what: "consentPurpose", id: "no-such" },
      },
    ]);
    expect((await errorOf(publishForm(t.db, form.id))).code).toBe("VALIDATION_FAILED");
  });

  it("stores a submission with truncated IP, short user agent and the lower-cased address, then counts and lists it", async () => {
    const form = await createForm(t.db, { name: "Innsending", language: "nb" }, null);
    await updateForm(t.db, form.id, { definition: { fields: [email, firstName] }, deactivateAfter: 2 });
    await publishForm(t.db, form.id);
    const store = (address: string, name: string) =>
      storeSubmission(t.db, {
        formId: form.id,
        version: 1,
        fields: [email, firstName],
        answers: { email: address, fornavn: name },
        ip: "2001:db8:85a3:8d3:1319:8a2e:370:7348",
        userAgent: "x".repeat(600),
      });
    const first = await store("Kari@Example.NO", "Kari");
    const row = await t.db
      .selectFrom("form_submissions")
      .selectAll()
      .where("id", "=", first)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "submitted",
      version: 1,
      email_lower: "kari@example.no",
      ip: "2001:db8:85a3::",
    });
    expect(row.user_agent).toHaveLength(500);
    expect(await recentSubmissions(t.db, form.id, { ip: "2001:db8:85a3:1::9" }, 60_000)).toBe(1);
    expect(await recentSubmissions(t.db, form.id, { emailLower: "kari@example.no" }, 60_000)).toBe(1);
    expect((await getForm(t.db, form.id)).active).toBe(true);
    const second = await store("ola@example.no", "Ola Nordmann");
    expect((await getForm(t.db, form.id)).inactiveReason).toBe("count");

    const page1 = await listSubmissions(t.db, form.id, {}, { limit: 1 });
    expect(page1).toMatchObject({
      total: 2,
      nextAfter: second,
      submissions: [{ id: second, name: "Ola Nordmann", email: "ola@example.no" }],
    });
    const page2 = await listSubmissions(t.db, form.id, {}, { after: page1.nextAfter!, limit: 1 });
    expect(page2.submissions.map((s) => s.id)).toEqual([first]);
    expect(
      (await listSubmissions(t.db, form.id, { q: "NORDMANN" }, { limit: 10 })).submissions.map((s) => s.id),
    ).toEqual([second]);
    expect((await listSubmissions(t.db, form.id, { q: "50%" }, { limit: 10 })).total).toBe(0);
    expect((await listSubmissions(t.db, form.id, { status: "processed" }, { limit: 10 })).total).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listSubmissions(t.db, form.id, { from: today, to: today }, { limit: 10 })).total).toBe(2);
    expect((await submissionDetail(t.db, form.id, first)).fields.map((f) => f.key)).toEqual([
      "email",
      "fornavn",
    ]);

    await countView(t.db, form.id);
    await countView(t.db, form.id);
    await countView(t.db, form.id);
    await countView(t.db, form.id);
    await countRefusal(t.db, form.id, "honeypot");
    await countRefusal(t.db, form.id, "honeypot");
    await countRefusal(t.db, form.id, "too-fast");
    const stats = await formStatistics(t.db, form.id);
    expect(stats).toMatchObject({
      views: 4,
      submissions: 2,
      awaitingManual: 2,
      processed: 0,
      conversion: 0.5,
    });
    expect(stats.days).toEqual([{ day: today, views: 4, submissions: 2, processed: 0 }]);
    expect(stats.refusals).toEqual([
      { reason: "honeypot", count: 2 },
      { reason: "too-fast", count: 1 },
    ]);
    expect((await listForms(t.db)).find((f) => f.id === form.id)).toMatchObject({
      submissions: 2,
      awaitingManual: 2,
      active: false,
    });

    const refused = await errorOf(deleteForm(t.db, form.id));
    expect(refused).toMatchObject({ code: "FORM_HAS_SUBMISSIONS", details: { submissions: 2 } });
  });

  it("closes a form at its deactivation date and deletes one without submissions", async () => {
    const form = await createForm(t.db, { name: "Dato", language: "nb" }, null);
    await updateForm(t.db, form.id, {
      definition: { fields: [email] },
      deactivateAt: "2020-01-01T00:00:00Z",
    });
    expect((await publishForm(t.db, form.id)).inactiveReason).toBe("date");
    await deleteForm(t.db, form.id);
    expect((await errorOf(getForm(t.db, form.id))).code).toBe("NOT_FOUND");
  });
});
