// Forms and their versions: create, change the draft, publish (the draft becomes version n+1, which visitors see),
// unpublish, delete (refused once submissions exist), and whether a form takes submissions now and why not.
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import {
  AppError,
  conflict,
  type FieldProblem,
  invalid,
  missingReference,
  notFound,
} from "../shared/errors.ts";
import { type FormActions, type FormDefinition, NO_ACTIONS } from "./definition.ts";
import {
  definitionProblems,
  type FormLanguage,
  type FormStatus,
  type InactiveReason,
  inactiveReason,
  type KnownReferences,
  type ProcessingMode,
  redirectProblem,
  slugFromName,
  slugProblem,
} from "./rules.ts";

function slugFieldProblem(message: string): FieldProblem {
  return { field: "slug", message, kind: "allowed-characters", params: { characters: "a–z 0–9 -" } };
}

export type FormRecord = {
  id: number;
  name: string;
  slug: string;
  language: FormLanguage;
  status: FormStatus;
  publishedVersion: number;
  definition: FormDefinition;
  processingMode: ProcessingMode;
  doubleOptIn: boolean;
  sendingAccountId: number | null;
  allowCompanyCreate: boolean;
  /** The hosted page asks the visitor's browser for a proof of work (proof-of-work.ts); it then needs JavaScript. */
  proofOfWork: boolean;
  thankYouText: string | null;
  redirectUrl: string | null;
  deactivateAt: string | null;
  deactivateAfter: number | null;
  actions: FormActions;
  active: boolean;
  inactiveReason: InactiveReason | null;
  createdAt: string;
  updatedAt: string;
};

export type FormChanges = Partial<
  Pick<
    FormRecord,
    | "name"
    | "slug"
    | "language"
    | "definition"
    | "processingMode"
    | "doubleOptIn"
    | "sendingAccountId"
    | "allowCompanyCreate"
    | "proofOfWork"
    | "thankYouText"
    | "redirectUrl"
    | "deactivateAt"
    | "deactivateAfter"
    | "actions"
  >
>;

type FormRow = Awaited<ReturnType<typeof formRow>>;
const formRow = (db: Db, id: number) =>
  db.selectFrom("forms").selectAll().where("id", "=", id).executeTakeFirst();

async function submissionCount(db: Db, formId: number): Promise<number> {
  const row = await db
    .selectFrom("form_submissions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("form_id", "=", formId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function toForm(db: Db, row: NonNullable<FormRow>): Promise<FormRecord> {
  const base = {
    status: row.status,
    deactivateAt: row.deactivate_at,
    deactivateAfter: row.deactivate_after,
  };
  const why = inactiveReason(
    base,
    row.deactivate_after === null ? 0 : await submissionCount(db, row.id),
    isoNow(),
  );
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    language: row.language,
    ...base,
    publishedVersion: row.published_version,
    definition: JSON.parse(row.definition) as FormDefinition,
    processingMode: row.processing_mode,
    doubleOptIn: row.double_opt_in === 1,
    sendingAccountId: row.sending_account_id,
    allowCompanyCreate: row.allow_company_create === 1,
    proofOfWork: row.proof_of_work === 1,
    thankYouText: row.thank_you_text,
    redirectUrl: row.redirect_url,
    actions: { ...NO_ACTIONS, ...(JSON.parse(row.actions) as Partial<FormActions>) },
    active: why === null,
    inactiveReason: why,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getForm(db: Db, id: number): Promise<FormRecord> {
  const row = await formRow(db, id);
  if (!row) throw notFound("Form", id);
  return toForm(db, row);
}

export async function formBySlug(db: Db, slug: string): Promise<FormRecord | null> {
  const row = await db.selectFrom("forms").selectAll().where("slug", "=", slug).executeTakeFirst();
  return row ? toForm(db, row) : null;
}

/** The form with this slug and the definition visitors answer (its published version's), in one read. */
export async function formAndPublishedBySlug(
  db: Db,
  slug: string,
): Promise<{ form: FormRecord; published: FormDefinition | null } | null> {
  const row = await db
    .selectFrom("forms")
    .leftJoin("form_versions as v", (join) =>
      join.onRef("v.form_id", "=", "forms.id").onRef("v.version", "=", "forms.published_version"),
    )
    .selectAll("forms")
    .select("v.definition as published_definition")
    .where("forms.slug", "=", slug)
    .executeTakeFirst();
  if (!row) return null;
  const { published_definition, ...form } = row;
  return {
    form: await toForm(db, form),
    published: published_definition === null ? null : (JSON.parse(published_definition) as FormDefinition),
  };
}

/** The definition visitors answer: the published version's (not the draft). */
export async function versionDefinition(
  db: Db,
  formId: number,
  version: number,
): Promise<FormDefinition | null> {
  const row = await db
    .selectFrom("form_versions")
    .select("definition")
    .where("form_id", "=", formId)
    .where("version", "=", version)
    .executeTakeFirst();
  return row ? (JSON.parse(row.definition) as FormDefinition) : null;
}

async function freeSlug(db: Db, wanted: string, exceptId: number | null): Promise<boolean> {
  let query = db.selectFrom("forms").select("id").where("slug", "=", wanted);
  if (exceptId !== null) query = query.where("id", "!=", exceptId);
  return (await query.executeTakeFirst()) === undefined;
}

export async function createForm(
  db: Db,
  input: { name: string; language: FormLanguage; slug?: string | undefined },
  createdBy: number | null,
): Promise<FormRecord> {
  const name = input.name.trim();
  if (!name) throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  let slug = input.slug;
  if (slug !== undefined) {
    const problem = slugProblem(slug);
    if (problem) throw invalid([slugFieldProblem(problem)]);
    if (!(await freeSlug(db, slug, null)))
      throw conflict("slug", `another form already has the address /f/${slug}`);
  } else {
    const base = slugFromName(name);
    slug = base;
    for (let n = 2; !(await freeSlug(db, slug, null)); n++) slug = `${base}-${n}`;
  }
  const now = isoNow();
  const row = await db
    .insertInto("forms")
    .values({
      name,
      slug,
      language: input.language,
      status: "draft",
      definition: JSON.stringify({ fields: [] }),
      processing_mode: "manual",
      actions: JSON.stringify(NO_ACTIONS),
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return getForm(db, row.id);
}

/** What the database holds that a definition may name. */
export async function knownReferences(db: Db): Promise<KnownReferences> {
  const [purposes, types, custom] = await Promise.all([
    db.selectFrom("consent_purposes").select("key").execute(),
    db.selectFrom("subscription_types").select("id").execute(),
    db.selectFrom("custom_fields").select("id").execute(),
  ]);
  return {
    purposeKeys: new Set(purposes.map((p) => p.key)),
    subscriptionTypeIds: new Set(types.map((t) => t.id)),
    customFieldIds: new Set(custom.map((c) => c.id)),
  };
}

async function checkActions(db: Db, actions: FormActions): Promise<void> {
  const lists = [
    ["actions.addToSelectionIds", "selections", "Selection", actions.addToSelectionIds],
    ["actions.addToProjectIds", "projects", "Project", actions.addToProjectIds],
    ["actions.subscribeTypeIds", "subscription_types", "Subscription type", actions.subscribeTypeIds],
    ["actions.notifyUserIds", "users", "User", actions.notifyUserIds],
    [
      "actions.responseMailingId",
      "mailings",
      "Mailing",
      actions.responseMailingId ? [actions.responseMailingId] : [],
    ],
  ] as const;
  for (const [field, table, what, ids] of lists) {
    if (ids.length === 0) continue;
    const found = await db
      .selectFrom(table)
      .select("id")
      .where("id", "in", [...ids])
      .execute();
    const have = new Set(found.map((r) => r.id));
    const missing = ids.find((id) => !have.has(id));
    if (missing !== undefined) throw missingReference(field, what, missing);
  }
}

export async function updateForm(db: Db, id: number, changes: FormChanges): Promise<FormRecord> {
  const current = await getForm(db, id);
  const next = { ...current, ...changes };
  const problems: FieldProblem[] = [];
  if (changes.name !== undefined && !changes.name.trim())
    problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  if (changes.slug !== undefined) {
    const problem = slugProblem(changes.slug);
    if (problem) problems.push(slugFieldProblem(problem));
  }
  if (next.redirectUrl) {
    const problem = redirectProblem(next.redirectUrl);
    if (problem) problems.push({ field: "redirectUrl", message: problem, kind: "needs-https" });
  }
  if (next.deactivateAt !== null && Number.isNaN(Date.parse(next.deactivateAt)))
    problems.push({
      field: "deactivateAt",
      message: "must be an ISO date and time",
      kind: "format",
      params: { format: "date-time" },
    });
  problems.push(...definitionProblems(next.definition, next, await knownReferences(db)));
  if (problems.length > 0) throw invalid(problems);
  if (changes.slug !== undefined && !(await freeSlug(db, changes.slug, id)))
    throw conflict("slug", `another form already has the address /f/${changes.slug}`);
  if (changes.actions) await checkActions(db, changes.actions);
  if (changes.sendingAccountId) {
    const account = await db
      .selectFrom("sending_accounts")
      .select("id")
      .where("id", "=", changes.sendingAccountId)
      .executeTakeFirst();
    if (!account) throw missingReference("sendingAccountId", "Sending account", changes.sendingAccountId);
  }
  const set = (key: keyof FormChanges) => changes[key] !== undefined;
  await db
    .updateTable("forms")
    .set({
      ...(set("name") ? { name: next.name.trim() } : {}),
      ...(set("slug") ? { slug: next.slug } : {}),
      ...(set("language") ? { language: next.language } : {}),
      ...(set("definition") ? { definition: JSON.stringify(next.definition) } : {}),
      ...(set("processingMode") ? { processing_mode: next.processingMode } : {}),
      ...(set("doubleOptIn") ? { double_opt_in: next.doubleOptIn ? 1 : 0 } : {}),
      ...(set("sendingAccountId") ? { sending_account_id: next.sendingAccountId } : {}),
      ...(set("allowCompanyCreate") ? { allow_company_create: next.allowCompanyCreate ? 1 : 0 } : {}),
      ...(set("proofOfWork") ? { proof_of_work: next.proofOfWork ? 1 : 0 } : {}),
      ...(set("thankYouText") ? { thank_you_text: next.thankYouText || null } : {}),
      ...(set("redirectUrl") ? { redirect_url: next.redirectUrl || null } : {}),
      ...(set("deactivateAt")
        ? { deactivate_at: next.deactivateAt && new Date(next.deactivateAt).toISOString() }
        : {}),
      ...(set("deactivateAfter") ? { deactivate_after: next.deactivateAfter } : {}),
      ...(set("actions") ? { actions: JSON.stringify(next.actions) } : {}),
      updated_at: isoNow(),
    })
    .where("id", "=", id)
    .execute();
  return getForm(db, id);
}

/** The draft becomes version n+1 and what visitors see; refused while the draft has problems. */
export async function publishForm(db: Db, id: number): Promise<FormRecord> {
  const form = await getForm(db, id);
  const problems = definitionProblems(form.definition, form, await knownReferences(db));
  if (form.definition.fields.length === 0)
    problems.push({
      field: "definition.fields",
      message: "a form needs a field",
      kind: "minItems",
      params: { limit: 1 },
    });
  if (problems.length > 0) throw invalid(problems);
  const now = isoNow();
  await db.transaction().execute(async (tx) => {
    // The guard on the version seen makes two publishes at once give n+1 and n+2, never the same number twice.
    const result = await tx
      .updateTable("forms")
      .set((eb) => ({
        published_version: eb("published_version", "+", 1),
        status: "published",
        updated_at: now,
      }))
      .where("id", "=", id)
      .where("published_version", "=", form.publishedVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw new AppError("CONFLICT", "The form was published by someone else meanwhile; try again", {
        field: "id",
      });
    await tx
      .insertInto("form_versions")
      .values({
        form_id: id,
        version: form.publishedVersion + 1,
        definition: JSON.stringify(form.definition),
        published_at: now,
      })
      .execute();
  });
  return getForm(db, id);
}

export async function unpublishForm(db: Db, id: number): Promise<FormRecord> {
  const form = await getForm(db, id);
  if (form.status === "published")
    await db
      .updateTable("forms")
      .set({ status: "unpublished", updated_at: isoNow() })
      .where("id", "=", id)
      .execute();
  return getForm(db, id);
}

/** Deleting would take the submissions with it; a form that has any is unpublished instead. */
export async function deleteForm(db: Db, id: number): Promise<void> {
  await getForm(db, id);
  const submissions = await submissionCount(db, id);
  if (submissions > 0)
    throw new AppError(
      "FORM_HAS_SUBMISSIONS",
      `The form has ${submissions} submissions; unpublish it instead of deleting it`,
      { submissions },
    );
  await db.deleteFrom("forms").where("id", "=", id).execute();
}

export type FormListItem = {
  id: number;
  name: string;
  slug: string;
  language: FormLanguage;
  status: FormStatus;
  active: boolean;
  submissions: number;
  awaitingManual: number;
  updatedAt: string;
};

export async function listForms(db: Db): Promise<FormListItem[]> {
  const rows = await db
    .selectFrom("forms as f")
    .selectAll("f")
    .select((eb) => [
      eb
        .selectFrom("form_submissions as s")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("s.form_id", "=", "f.id")
        .as("submissions"),
      eb
        .selectFrom("form_submissions as s")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("s.form_id", "=", "f.id")
        .where("s.status", "=", "submitted")
        .as("awaiting_manual"),
    ])
    .orderBy("f.updated_at", "desc")
    .orderBy("f.id", "desc")
    .execute();
  const now = isoNow();
  return rows.map((row) => {
    const submissions = Number(row.submissions ?? 0);
    const why = inactiveReason(
      { status: row.status, deactivateAt: row.deactivate_at, deactivateAfter: row.deactivate_after },
      submissions,
      now,
    );
    return {
      id: row.id,
      name: row.name,
      slug: row.slug,
      language: row.language,
      status: row.status,
      active: why === null,
      submissions,
      awaitingManual: Number(row.awaiting_manual ?? 0),
      updatedAt: row.updated_at,
    };
  });
}
