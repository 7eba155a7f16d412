// Web forms (SPEC §9): a form with its draft definition and published versions, the submissions it receives (stored
// before anything else happens to them), its daily page views, and every refused submission counted with its reason.
// A form-response mailing points at its form with mailings.form_id.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable("forms") as Table, dialect)
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("language", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("published_version", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("processing_mode", "text", (c) => c.notNull())
    .addColumn("double_opt_in", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("sending_account_id", "integer", (c) =>
      c.references("sending_accounts.id").onDelete("set null"),
    )
    .addColumn("allow_company_create", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("thank_you_text", "text")
    .addColumn("redirect_url", "text")
    .addColumn("deactivate_at", "text")
    .addColumn("deactivate_after", "integer")
    .addColumn("actions", "text", (c) => c.notNull())
    .addColumn("created_by", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("form_versions")
    .addColumn("form_id", "integer", (c) => c.notNull().references("forms.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("published_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("form_versions_pk", ["form_id", "version"])
    .execute();
  await withId(db.schema.createTable("form_submissions") as Table, dialect)
    .addColumn("form_id", "integer", (c) => c.notNull().references("forms.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("answers", "text", (c) => c.notNull())
    .addColumn("email_lower", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("submitted_at", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reject_reason", "text")
    .addColumn("person_id", "integer", (c) => c.references("persons.id").onDelete("set null"))
    .addColumn("company_id", "integer", (c) => c.references("companies.id").onDelete("set null"))
    .addColumn("prefill_person_id", "integer")
    .addColumn("confirm_sent_at", "text")
    .addColumn("confirm_expires_at", "text")
    .addColumn("confirmed_at", "text")
    .addColumn("processed_at", "text")
    .addColumn("processed_by", "integer")
    .execute();
  await db.schema
    .createIndex("form_submissions_by_form")
    .on("form_submissions")
    .columns(["form_id", "submitted_at"])
    .execute();
  await db.schema
    .createIndex("form_submissions_by_status")
    .on("form_submissions")
    .columns(["form_id", "status", "id"])
    .execute();
  await db.schema
    .createIndex("form_submissions_by_address")
    .on("form_submissions")
    .columns(["email_lower", "submitted_at"])
    .execute();
  await db.schema
    .createTable("form_daily")
    .addColumn("form_id", "integer", (c) => c.notNull().references("forms.id").onDelete("cascade"))
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("views", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("form_daily_pk", ["form_id", "day"])
    .execute();
  await db.schema
    .createTable("form_rejections")
    .addColumn("form_id", "integer", (c) => c.notNull().references("forms.id").onDelete("cascade"))
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("form_rejections_pk", ["form_id", "day", "reason"])
    .execute();
  await db.schema
    .alterTable("mailings")
    .addColumn("form_id", "integer", (c) => c.references("forms.id").onDelete("set null"))
    .execute();
}
