// The CRM, users and sign-in: the tables everything else stands on.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export function withId(table: Table, dialect: Dialect): Table {
  return dialect === "postgres"
    ? table.addColumn("id", "serial", (c) => c.primaryKey())
    : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
}

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const create = (name: string) => withId(db.schema.createTable(name) as Table, dialect);

  await create("users")
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("can_override_consent", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("language", "text", (c) => c.notNull().defaultTo("nb"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("csrf_token", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();

  await create("api_keys")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull().unique())
    .addColumn("key_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .execute();

  await create("companies")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_lower", "text", (c) => c.notNull())
    .addColumn("org_number", "text")
    .addColumn("department", "text")
    .addColumn("street", "text")
    .addColumn("postcode", "text")
    .addColumn("city", "text")
    .addColumn("country", "text")
    .addColumn("domain", "text")
    .addColumn("phone", "text")
    .addColumn("email", "text")
    .addColumn("our_contact_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("companies_name_lower").on("companies").column("name_lower").execute();

  await create("persons")
    .addColumn("first_name", "text")
    .addColumn("middle_name", "text")
    .addColumn("last_name", "text")
    .addColumn("search_name", "text", (c) => c.notNull())
    .addColumn("title", "text")
    .addColumn("mrmrs", "text")
    .addColumn("mobile", "text")
    .addColumn("phone", "text")
    .addColumn("language", "text")
    .addColumn("company_id", "integer", (c) => c.references("companies.id").onDelete("set null"))
    .addColumn("our_contact_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("former_employee", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("persons_company").on("persons").column("company_id").execute();
  await db.schema.createIndex("persons_search_name").on("persons").column("search_name").execute();
  await db.schema
    .createIndex("persons_last_first")
    .on("persons")
    .columns(["last_name", "first_name"])
    .execute();

  await create("person_emails")
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("address_lower", "text", (c) => c.notNull())
    .addColumn("is_primary", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("person_emails_person_address", ["person_id", "address_lower"])
    .execute();
  await db.schema.createIndex("person_emails_address").on("person_emails").column("address_lower").execute();
  await db.schema
    .createIndex("person_emails_primary")
    .on("person_emails")
    .columns(["person_id", "is_primary"])
    .execute();

  await create("interests")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_lower", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("person_interests")
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("interest_id", "integer", (c) => c.notNull().references("interests.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("person_interests_pk", ["person_id", "interest_id"])
    .execute();
  await db.schema
    .createIndex("person_interests_interest")
    .on("person_interests")
    .column("interest_id")
    .execute();

  await create("custom_fields")
    .addColumn("key", "text", (c) => c.notNull().unique())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("person_custom_values")
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("field_id", "integer", (c) => c.notNull().references("custom_fields.id").onDelete("cascade"))
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("person_custom_values_pk", ["person_id", "field_id"])
    .execute();
  await db.schema
    .createIndex("person_custom_values_field")
    .on("person_custom_values")
    .columns(["field_id", "value"])
    .execute();

  await create("consent_purposes")
    .addColumn("key", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("builtin", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("person_consents")
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("purpose_id", "integer", (c) =>
      c.notNull().references("consent_purposes.id").onDelete("cascade"),
    )
    .addColumn("legal_basis", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("person_consents_pk", ["person_id", "purpose_id"])
    .execute();
  await db.schema
    .createIndex("person_consents_purpose")
    .on("person_consents")
    .columns(["purpose_id", "legal_basis"])
    .execute();

  await create("subscription_types")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_lower", "text", (c) => c.notNull().unique())
    .addColumn("description", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("person_subscriptions")
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("type_id", "integer", (c) =>
      c.notNull().references("subscription_types.id").onDelete("cascade"),
    )
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("person_subscriptions_pk", ["person_id", "type_id"])
    .execute();
  await db.schema
    .createIndex("person_subscriptions_type")
    .on("person_subscriptions")
    .columns(["type_id", "status"])
    .execute();

  // Append-only: rows are inserted, never updated or deleted (erasure anonymises elsewhere).
  await create("consent_history")
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("purpose_id", "integer", (c) => c.references("consent_purposes.id"))
    .addColumn("subscription_type_id", "integer", (c) => c.references("subscription_types.id"))
    .addColumn("change", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("comment", "text")
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("consent_history_person").on("consent_history").column("person_id").execute();

  await create("selections")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("criteria", "text")
    .addColumn("combine_op", "text")
    .addColumn("left_id", "integer", (c) => c.references("selections.id").onDelete("restrict"))
    .addColumn("right_id", "integer", (c) => c.references("selections.id").onDelete("restrict"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("selection_members")
    .addColumn("selection_id", "integer", (c) => c.notNull().references("selections.id").onDelete("cascade"))
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("added_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("selection_members_pk", ["selection_id", "person_id"])
    .execute();
  await db.schema
    .createIndex("selection_members_person")
    .on("selection_members")
    .column("person_id")
    .execute();
  await db.schema
    .createTable("selection_companies")
    .addColumn("selection_id", "integer", (c) => c.notNull().references("selections.id").onDelete("cascade"))
    .addColumn("company_id", "integer", (c) => c.notNull().references("companies.id").onDelete("cascade"))
    .addColumn("added_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("selection_companies_pk", ["selection_id", "company_id"])
    .execute();

  await create("projects")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("project_members")
    .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("person_id", "integer", (c) => c.notNull().references("persons.id").onDelete("cascade"))
    .addColumn("added_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("project_members_pk", ["project_id", "person_id"])
    .execute();
  await db.schema.createIndex("project_members_person").on("project_members").column("person_id").execute();

  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  const now = new Date().toISOString();
  await db
    .insertInto("consent_purposes")
    .values([
      { key: "e-marketing", name: "E-marketing", builtin: 1, created_at: now },
      { key: "sales-and-service", name: "Sales and service", builtin: 1, created_at: now },
    ])
    .execute();
  await db
    .insertInto("settings")
    .values([{ key: "consentFilter", value: "true" }])
    .execute();
}
