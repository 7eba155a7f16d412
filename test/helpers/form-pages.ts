// A form (manual processing) with one submission waiting to be processed, for the tests that walk every web route (accessibility,
// reflow): /forms/:id, its submissions and /forms/:id/submissions/:sid need one of each to fill their parameters.
// The form goes through the real API; the submission is written straight to its table, as the hosted page's POST
// would store it, so the walk does not depend on the abuse checks' timing.
import type { Db } from "../../src/db/connect.ts";
import { type ApiClient, ok } from "./server.ts";

export async function aFormWithSubmission(
  api: ApiClient,
  db: Db,
): Promise<{ formId: number; submissionId: number }> {
  const form = await ok<{ id: number }>(
    api.send("POST", "/api/forms", { name: "Påmelding", language: "nb" }),
    201,
  );
  await ok(
    api.send("PUT", `/api/forms/${form.id}`, {
      processingMode: "manual",
      definition: {
        fields: [
          {
            kind: "mapped",
            key: "email",
            maps: "email",
            label: { nb: "E-post", en: "E-mail" },
            required: true,
            prefill: false,
          },
          {
            kind: "mapped",
            key: "first_name",
            maps: "first_name",
            label: { nb: "Fornavn", en: "First name" },
            required: false,
            prefill: false,
          },
        ],
      },
    }),
  );
  await ok(api.send("POST", `/api/forms/${form.id}/publish`));
  const inserted = await db
    .insertInto("form_submissions")
    .values({
      form_id: form.id,
      version: 1,
      answers: JSON.stringify({ email: "ola.skjema@example.no", first_name: "Ola" }),
      email_lower: "ola.skjema@example.no",
      ip: "127.0.0.0",
      user_agent: "test",
      submitted_at: new Date().toISOString(),
      status: "submitted",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { formId: form.id, submissionId: Number(inserted.id) };
}
