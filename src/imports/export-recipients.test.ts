import { join } from "node:path";
import type { Readable } from "node:stream";
import { parse } from "csv-parse/sync";
import { readSheet } from "read-excel-file/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import type { EventKind } from "../db/schema.ts";
import { blockAddress } from "../deliveries/blocks.ts";
import { listRecipients } from "../mailings/recipients.ts";
import { createMailing } from "../mailings/store.ts";
import { recordConsent } from "../persons/consent.ts";
import { AppError } from "../shared/errors.ts";
import { exportRecipients, RECIPIENT_EXPORT_HEADERS } from "./export-recipients.ts";
import { importRecipients } from "./import-recipients.ts";

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const fixture = join(import.meta.dirname, "../../test/fixtures/imports/recipients-nb.csv");
const now = "2026-03-02T09:00:00.000Z";

describe.each(await testDialects())("exporting a mailing's recipients with status on %s", (dialect) => {
  let t: TestDb;
  let mailingId: number;
  let kariId: number;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    const kari = await aPerson(t.db, {
      firstName: "Kari",
      lastName: "Nordmann",
      email: "kari.nordmann@example.no",
    });
    kariId = kari.id;
    await recordConsent(t.db, kari.id, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
    await aPerson(t.db, { firstName: "Trine", lastName: "Bø", email: "trine.bo@example.no" });
    await blockAddress(t.db, "blokkert@example.no", "hard-bounce", "550 5.1.1", now);
    mailingId = (await createMailing(t.db, { name: "Invitasjon" }, null)).id;
    await importRecipients(t, mailingId, { path: fixture }, { defaultCountry: "NO", consentConfirmed: true });
    const rows = (await listRecipients(t.db, mailingId, {}, { limit: 100, offset: 0 })).items;
    const idOf = (email: string) => rows.find((r) => r.email === email)!.id;
    const delivery = async (
      email: string,
      attempt: number,
      status: "sent" | "bounced" | "failed",
      extra = {},
    ) => {
      const row = await t.db
        .insertInto("deliveries")
        .values({
          mailing_id: mailingId,
          recipient_id: idOf(email),
          attempt,
          person_id: null,
          address: email,
          address_key: email,
          status,
          message_id: `m${mailingId}.${email}.a${attempt}@firma.example`,
          tries: 1,
          next_try_at: now,
          sent_at: status === "failed" ? null : now,
          created_at: now,
          updated_at: now,
          ...extra,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return row.id;
    };
    const event = async (deliveryId: number, kind: EventKind, isTest = 0) =>
      t.db
        .insertInto("events")
        .values({
          mailing_id: mailingId,
          delivery_id: deliveryId,
          person_id: null,
          kind,
          flagged: 0,
          is_test: isTest,
          created_at: now,
        })
        .execute();
    // Kari: attempt 1 failed, attempt 2 sent and clicked (a click counts as an open).
    await delivery("kari.nordmann@example.no", 1, "failed", { last_reply: "421 try later" });
    await event(await delivery("kari.nordmann@example.no", 2, "sent"), "clicked");
    // Åse: bounced hard; only a test open, which never counts.
    await event(
      await delivery("ase.odegard@example.no", 1, "bounced", {
        bounce_kind: "hard",
        last_reply: "550 5.1.1 unknown",
      }),
      "opened",
      1,
    );
    // The formula row: opened and unsubscribed.
    const formula = await delivery("formel@example.no", 1, "sent");
    await event(formula, "opened");
    await event(formula, "unsubscribed");
  });
  afterAll(async () => t.dispose());

  it("writes one row per recipient with the latest attempt, events and a neutralised formula (CSV)", async () => {
    const csv = (await bytesOf(await exportRecipients(t.db, mailingId, { format: "csv" }))).toString("utf8");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const [headers, ...rows] = parse(csv.slice(1)) as string[][];
    expect(headers).toEqual(RECIPIENT_EXPORT_HEADERS);
    const byEmail = Object.fromEntries(
      rows.map((r) => [r[0], Object.fromEntries(headers!.map((h, i) => [h, r[i]]))]),
    );
    expect(Object.keys(byEmail)).toEqual([
      "kari.nordmann@example.no",
      "ase.odegard@example.no",
      "blokkert@example.no",
      "trine.bo@example.no",
      "formel@example.no",
    ]);
    expect(byEmail["kari.nordmann@example.no"]).toMatchObject({
      Name: "Kari Nordmann",
      "Person ID": String(kariId),
      "Recipient status": "eligible",
      "Delivery status": "sent",
      Attempt: "2",
      "Sent at": now,
      Reply: "",
      Opened: "yes",
      Clicked: "yes",
      Unsubscribed: "no",
    });
    expect(byEmail["ase.odegard@example.no"]).toMatchObject({
      "Person ID": "",
      "Delivery status": "bounced",
      Bounce: "hard",
      Reply: "550 5.1.1 unknown",
      Opened: "no",
    });
    expect(byEmail["trine.bo@example.no"]).toMatchObject({
      "Recipient status": "blocked",
      "Block reason": "no-consent",
      "Delivery status": "",
      Attempt: "",
    });
    expect(byEmail["formel@example.no"]).toMatchObject({
      Name: "'=SUM(1+1)",
      Opened: "yes",
      Clicked: "no",
      Unsubscribed: "yes",
    });
  });

  it("takes the recipient list's filters, and writes XLSX through the streaming writer", async () => {
    const stream = await exportRecipients(t.db, mailingId, {
      format: "xlsx",
      filter: { status: "blocked" },
      pageSize: 1,
    });
    const rows = await readSheet(await bytesOf(stream));
    expect(rows[0]).toEqual(RECIPIENT_EXPORT_HEADERS);
    expect(rows.slice(1).map((r) => [r[0], r[5]])).toEqual([
      ["blokkert@example.no", "blocked-address"],
      ["trine.bo@example.no", "no-consent"],
    ]);
  });

  it("refuses an unknown mailing before the first byte", async () => {
    await expect(exportRecipients(t.db, 999_999, { format: "csv" })).rejects.toBeInstanceOf(AppError);
  });
});
