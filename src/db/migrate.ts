// Runs the migrations in order, each in its own transaction, recording them in `utsend_migrations`; the same files
// serve SQLite and PostgreSQL. Written by hand rather than with Kysely's Migrator: that one reads the catalogue of
// every schema on PostgreSQL, and fails when another schema is dropped at the same moment.
import { type Kysely, sql } from "kysely";
import { type DbHandle, type DbOptions, openDatabase } from "./connect.ts";
import * as initial from "./migrations/0001-initial.ts";
import * as imports from "./migrations/0002-imports.ts";
import * as mailings from "./migrations/0003-mailings.ts";
import * as inbound from "./migrations/0004-inbound.ts";
import * as tracking from "./migrations/0005-tracking.ts";
import * as domainChecks from "./migrations/0006-domain-checks.ts";
import * as inboundSource from "./migrations/0007-inbound-source.ts";
import * as recipientImports from "./migrations/0008-recipient-imports.ts";
import * as deliveryCounts from "./migrations/0009-delivery-counts.ts";
import * as channels from "./migrations/0010-channels.ts";
import * as dismissedWarnings from "./migrations/0011-dismissed-warnings.ts";
import * as sms from "./migrations/0012-sms.ts";
import * as smtpStrict from "./migrations/0013-smtp-strict.ts";
import * as dismissalReasons from "./migrations/0014-dismissal-reasons.ts";
import * as smsTemplates from "./migrations/0015-sms-templates.ts";
import * as smsRecipientImports from "./migrations/0016-sms-recipient-imports.ts";
import * as auditLog from "./migrations/0017-audit-log.ts";
import * as documents from "./migrations/0018-documents.ts";
import * as suppressions from "./migrations/0019-suppressions.ts";
import * as auditRetention from "./migrations/0020-audit-retention.ts";
import * as forms from "./migrations/0021-forms.ts";
import * as formConsentText from "./migrations/0022-form-consent-text.ts";
import * as formResponse from "./migrations/0023-form-response.ts";
import * as formSubmissionPerson from "./migrations/0024-form-submission-person.ts";
import * as formSubmissionQueue from "./migrations/0025-form-submission-queue.ts";
import * as formProofOfWork from "./migrations/0026-form-proof-of-work.ts";
import * as formSubmissionIp from "./migrations/0027-form-submission-ip.ts";
import * as latestAttempt from "./migrations/0029-latest-attempt.ts";
import * as imageLibrary from "./migrations/0031-image-library.ts";
import * as relayDkim from "./migrations/0033-relay-dkim.ts";
import * as domainPacing from "./migrations/0034-domain-pacing.ts";
import * as followUpEvents from "./migrations/0035-follow-up-events.ts";
import * as claimOrder from "./migrations/0036-claim-order.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
type AnyDb = Kysely<any>;
type DialectMigration = { up(db: AnyDb, dialect: DbHandle["dialect"]): Promise<void> };

const migrations: Array<[string, DialectMigration]> = [
  ["0001-initial", initial],
  ["0002-imports", imports],
  ["0003-mailings", mailings],
  ["0004-inbound", inbound],
  ["0005-tracking", tracking],
  ["0006-domain-checks", domainChecks],
  ["0007-inbound-source", inboundSource],
  ["0008-recipient-imports", recipientImports],
  ["0009-delivery-counts", deliveryCounts],
  ["0010-channels", channels],
  ["0011-dismissed-warnings", dismissedWarnings],
  ["0012-sms", sms],
  ["0013-smtp-strict", smtpStrict],
  ["0014-dismissal-reasons", dismissalReasons],
  ["0015-sms-templates", smsTemplates],
  ["0016-sms-recipient-imports", smsRecipientImports],
  ["0017-audit-log", auditLog],
  ["0018-documents", documents],
  ["0019-suppressions", suppressions],
  ["0020-audit-retention", auditRetention],
  ["0021-forms", forms],
  ["0022-form-consent-text", formConsentText],
  ["0023-form-response", formResponse],
  ["0024-form-submission-person", formSubmissionPerson],
  ["0025-form-submission-queue", formSubmissionQueue],
  ["0026-form-proof-of-work", formProofOfWork],
  ["0027-form-submission-ip", formSubmissionIp],
  ["0029-latest-attempt", latestAttempt],
  ["0031-image-library", imageLibrary],
  ["0033-relay-dkim", relayDkim],
  ["0034-domain-pacing", domainPacing],
  ["0035-follow-up-events", followUpEvents],
  ["0036-claim-order", claimOrder],
];

// Any fixed number: processes that start at once (a server and its workers) take turns migrating.
const MIGRATION_LOCK = 727_001;

/** Applies the migrations not yet applied, in order; `until` (a migration's name) stops after that one, for tests. */
export async function migrateToLatest(handle: DbHandle, until?: string): Promise<string[]> {
  const db = handle.db as unknown as AnyDb;
  await sql`create table if not exists utsend_migrations (name text primary key, applied_at text not null)`.execute(
    db,
  );
  const applied: string[] = [];
  for (const [name, migration] of migrations) {
    const apply = async (tx: AnyDb) => {
      const exists = await tx
        .selectFrom("utsend_migrations")
        .select("name")
        .where("name", "=", name)
        .executeTakeFirst();
      if (exists) return false;
      await migration.up(tx, handle.dialect);
      await tx
        .insertInto("utsend_migrations")
        .values({ name, applied_at: new Date().toISOString() })
        .execute();
      return true;
    };
    let done: boolean;
    if (handle.dialect === "postgres") {
      done = await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
        return apply(trx);
      });
    } else {
      // BEGIN IMMEDIATE takes the write lock before reading, so a second process waits instead of failing later.
      // Nothing else runs on this connection while the process starts, so a hand-made transaction is safe here.
      await sql`begin immediate`.execute(db);
      try {
        done = await apply(db);
        await sql`commit`.execute(db);
      } catch (error) {
        await sql`rollback`.execute(db);
        throw error;
      }
    }
    if (done) applied.push(name);
    if (name === until) break;
  }
  return applied;
}

/** Opens the configured database and brings its schema up to date. */
export async function openMigrated(options: DbOptions): Promise<DbHandle> {
  const handle = await openDatabase(options);
  await migrateToLatest(handle);
  return handle;
}
