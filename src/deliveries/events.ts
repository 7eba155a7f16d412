// What happened to deliveries (sent, failed, bounced, opened, clicked, unsubscribed, complained): append-only, and
// written here only, so every writer fills the same columns and nothing ever updates or deletes an event.
import type { Insertable } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";

export type NewEvent = Insertable<Database["events"]>;

/** Rows per INSERT: well under SQLite's and PostgreSQL's parameter limits at the events table's width. */
const PER_STATEMENT = 500;

export async function appendEvent(db: Db, event: NewEvent): Promise<void> {
  await db.insertInto("events").values(event).execute();
}

export async function appendEvents(db: Db, events: NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += PER_STATEMENT)
    await db
      .insertInto("events")
      .values(events.slice(i, i + PER_STATEMENT))
      .execute();
}
