// The CRM's vocabularies: interests, custom fields, consent purposes and subscription types.
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { conflict, type FieldProblem, invalid, notFound } from "../shared/errors.ts";

export async function listInterests(db: Db) {
  const rows = await db
    .selectFrom("interests as i")
    .select(["i.id", "i.name"])
    .select((eb) =>
      eb
        .selectFrom("person_interests as pi")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("pi.interest_id", "=", "i.id")
        .as("person_count"),
    )
    .orderBy("i.name_lower")
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, personCount: Number(r.person_count ?? 0) }));
}

export async function createInterest(db: Db, name: string) {
  const trimmed = name.trim();
  if (!trimmed) throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  const exists = await db
    .selectFrom("interests")
    .select("id")
    .where("name_lower", "=", trimmed.toLowerCase())
    .executeTakeFirst();
  if (exists) throw conflict("name", `an interest named "${trimmed}" exists`);
  const row = await db
    .insertInto("interests")
    .values({ name: trimmed, name_lower: trimmed.toLowerCase(), created_at: isoNow() })
    .returning(["id", "name"])
    .executeTakeFirstOrThrow();
  return { ...row, personCount: 0 };
}

export const CUSTOM_FIELD_TYPES = ["text", "number", "date", "boolean"] as const;
const FIELD_KEY = /^[a-z][a-zA-Z0-9_]{0,39}$/;

export async function listCustomFields(db: Db) {
  return db.selectFrom("custom_fields").select(["id", "key", "label", "type"]).orderBy("key").execute();
}

export async function createCustomField(
  db: Db,
  input: { key: string; label: string; type: (typeof CUSTOM_FIELD_TYPES)[number] },
) {
  const problems: FieldProblem[] = [];
  if (!FIELD_KEY.test(input.key))
    problems.push({
      field: "key",
      message: "must start with a letter and hold only letters, digits and _ (≤ 40)",
      kind: "allowed-characters",
      params: { characters: "a–z A–Z 0–9 _" },
    });
  if (!input.label.trim()) problems.push({ field: "label", message: "must not be empty", kind: "empty" });
  if (problems.length > 0) throw invalid(problems);
  const exists = await db
    .selectFrom("custom_fields")
    .select("id")
    .where("key", "=", input.key)
    .executeTakeFirst();
  if (exists) throw conflict("key", `a custom field "${input.key}" exists`);
  return db
    .insertInto("custom_fields")
    .values({ key: input.key, label: input.label.trim(), type: input.type, created_at: isoNow() })
    .returning(["id", "key", "label", "type"])
    .executeTakeFirstOrThrow();
}

export async function listConsentPurposes(db: Db) {
  const rows = await db
    .selectFrom("consent_purposes")
    .select(["id", "key", "name", "builtin"])
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ id: r.id, key: r.key, name: r.name, builtin: r.builtin === 1 }));
}

export async function createConsentPurpose(db: Db, input: { key: string; name: string }) {
  const problems: FieldProblem[] = [];
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(input.key))
    problems.push({
      field: "key",
      message: "must be lower-case letters, digits and - (2–40)",
      kind: "allowed-characters",
      params: { characters: "a–z 0–9 -" },
    });
  if (!input.name.trim()) problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  if (problems.length > 0) throw invalid(problems);
  const exists = await db
    .selectFrom("consent_purposes")
    .select("id")
    .where("key", "=", input.key)
    .executeTakeFirst();
  if (exists) throw conflict("key", `a consent purpose "${input.key}" exists`);
  const row = await db
    .insertInto("consent_purposes")
    .values({ key: input.key, name: input.name.trim(), builtin: 0, created_at: isoNow() })
    .returning(["id", "key", "name"])
    .executeTakeFirstOrThrow();
  return { ...row, builtin: false };
}

export async function listSubscriptionTypes(db: Db) {
  const rows = await db
    .selectFrom("subscription_types as t")
    .select(["t.id", "t.name", "t.description"])
    .select((eb) =>
      eb
        .selectFrom("person_subscriptions as ps")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("ps.type_id", "=", "t.id")
        .where("ps.status", "=", "subscribed")
        .as("subscriber_count"),
    )
    .orderBy("t.id")
    .execute();
  return rows.map((r) => ({
    ...r,
    subscriberCount: Number(r.subscriber_count ?? 0),
    subscriber_count: undefined,
  }));
}

export async function createSubscriptionType(db: Db, input: { name: string; description?: string | null }) {
  const name = input.name.trim();
  if (!name) throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  const exists = await db
    .selectFrom("subscription_types")
    .select("id")
    .where("name_lower", "=", name.toLowerCase())
    .executeTakeFirst();
  if (exists) throw conflict("name", `a subscription type named "${name}" exists`);
  const row = await db
    .insertInto("subscription_types")
    .values({
      name,
      name_lower: name.toLowerCase(),
      description: input.description ?? null,
      created_at: isoNow(),
    })
    .returning(["id", "name", "description"])
    .executeTakeFirstOrThrow();
  return { ...row, subscriberCount: 0 };
}

export async function updateSubscriptionType(
  db: Db,
  id: number,
  input: { name?: string; description?: string | null },
) {
  const changes: { name?: string; name_lower?: string; description?: string | null } = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (!name) throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
    const clash = await db
      .selectFrom("subscription_types")
      .select("id")
      .where("name_lower", "=", name.toLowerCase())
      .where("id", "!=", id)
      .executeTakeFirst();
    if (clash) throw conflict("name", `a subscription type named "${name}" exists`);
    changes.name = name;
    changes.name_lower = name.toLowerCase();
  }
  if (input.description !== undefined) changes.description = input.description;
  const result = await db
    .updateTable("subscription_types")
    .set(changes)
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound("subscription type", id);
  return db
    .selectFrom("subscription_types")
    .select(["id", "name", "description"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}
