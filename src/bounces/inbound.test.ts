// The inbound rules without SMTP: which recipients are accepted, and storing/processing on every database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { keyringFromSecret, signDeliveryToken } from "../deliveries/tokens.ts";
import {
  acceptRecipient,
  processInbound,
  processPending,
  readBounceSettings,
  storeInbound,
} from "./inbound.ts";

const keys = keyringFromSecret("inbound-unit-secret");
const config = { keys, bounceDomains: ["bounces.firma.example"], feedbackLoopAddress: "fbl@firma.example" };

describe("acceptRecipient", () => {
  it("accepts verifying VERP and unsubscribe tokens on a bounce domain", () => {
    const verp = signDeliveryToken(keys, "verp", 42);
    const unsub = signDeliveryToken(keys, "unsubscribe", 42);
    expect(acceptRecipient(`bounces+${verp}@bounces.firma.example`, config)).toBe("verp");
    expect(acceptRecipient(`<bounces+${verp}@BOUNCES.Firma.example>`, config)).toBe("verp");
    expect(acceptRecipient(`unsubscribe+${unsub}@bounces.firma.example`, config)).toBe("unsubscribe");
    expect(acceptRecipient("FBL@firma.example", config)).toBe("feedback-loop");
  });

  it("refuses forged tokens, tokens of the other purpose, other domains and everything else", () => {
    const verp = signDeliveryToken(keys, "verp", 42);
    const other = signDeliveryToken(keyringFromSecret("someone-else"), "verp", 42);
    const unsub = signDeliveryToken(keys, "unsubscribe", 42);
    expect(acceptRecipient(`bounces+${other}@bounces.firma.example`, config)).toBeNull();
    expect(acceptRecipient(`bounces+${verp.slice(0, -1)}x@bounces.firma.example`, config)).toBeNull();
    expect(acceptRecipient(`bounces+${unsub}@bounces.firma.example`, config)).toBeNull();
    expect(acceptRecipient(`unsubscribe+${verp}@bounces.firma.example`, config)).toBeNull();
    expect(acceptRecipient(`bounces+${verp}@elsewhere.example`, config)).toBeNull();
    expect(acceptRecipient("postmaster@bounces.firma.example", config)).toBeNull();
    expect(acceptRecipient("bounces@bounces.firma.example", config)).toBeNull();
    expect(acceptRecipient("not-an-address", config)).toBeNull();
    expect(acceptRecipient("fbl@firma.example", { ...config, feedbackLoopAddress: null })).toBeNull();
  });
});

describe.each(await testDialects())("inbound store on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it("stores the raw bytes and processes a row once; unattributable and malformed mail is ignored", async () => {
    const raw = Buffer.from(
      "From: x@y.example\r\nSubject: \xff odd\r\nContent-Type: multipart/report; boundary=\r\n\r\n--\r\n",
      "latin1",
    );
    const verp = signDeliveryToken(keys, "verp", 999_999);
    const id = await storeInbound(t.db, {
      envelopeFrom: "",
      recipient: `bounces+${verp}@bounces.firma.example`,
      route: "verp",
      raw,
    });
    const stored = await t.db
      .selectFrom("inbound_messages")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: "received", size: raw.length, envelope_from: "", route: "verp" });
    expect(Buffer.from(stored.raw).equals(raw)).toBe(true);

    const settings = await readBounceSettings(t.db);
    expect(settings).toEqual({ bounceThreshold: 5 });
    const first = await processInbound(t.db, keys, id, settings);
    expect(first?.status === "ignored" || first?.status === "failed").toBe(true);
    expect(await processInbound(t.db, keys, id, settings)).toBeNull();
    const after = await t.db
      .selectFrom("inbound_messages")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(after.processed_at).not.toBeNull();
    expect(after.delivery_id).toBeNull();
    expect(await processPending(t.db, keys, settings)).toBe(0);
  });

  it("processPending redoes rows left in received", async () => {
    const ids = [];
    for (let i = 0; i < 2; i++)
      ids.push(
        await storeInbound(t.db, {
          envelopeFrom: "mailer-daemon@x.example",
          recipient: "fbl@firma.example",
          route: "feedback-loop",
          raw: Buffer.from(`From: a@b.example\r\nSubject: hi ${i}\r\n\r\nhello\r\n`),
        }),
      );
    expect(await processPending(t.db, keys, { bounceThreshold: 5 })).toBe(2);
    const rows = await t.db.selectFrom("inbound_messages").select("status").where("id", "in", ids).execute();
    expect(rows.every((r) => r.status !== "received")).toBe(true);
  });
});
