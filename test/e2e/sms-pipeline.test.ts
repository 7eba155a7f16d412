// An SMS mailing end to end through a running server, on both databases: made on the API, recipients by mobile
// (left out without one, one message per number), previewed and counted, tested, sent through the local SMS outbox
// and through Twilio's API shape with signed status callbacks, a STOPP reply unsubscribing its person, and the
// sending window holding a mailing back.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { setSubscription } from "../../src/persons/consent.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
  waitFor,
} from "../helpers/server.ts";
import { zoneWhereItIs } from "../helpers/time-zones.ts";

const TEXT = "Hei [[customer.firstname]]! Vårsalg: 20% på alt i butikken i dag.";

describe.each(await testDialects())("SMS mailings on %s", (dialect) => {
  let server: TestServer;
  let admin: ApiClient;
  let db: Db;
  let typeId: number;
  let outboxAccount: number;
  const people: Record<string, number> = {};

  async function anSmsMailing(accountId: number, personIds: number[], name = "Vårsalg") {
    const mailing = await ok<{ id: number; type: string }>(
      admin.send("POST", "/api/mailings", {
        name,
        type: "sms",
        sendingAccountId: accountId,
        smsSender: "Fjordlys",
        smsText: TEXT,
        subscriptionTypeId: typeId,
      }),
      201,
    );
    for (const id of personIds)
      await ok(admin.send("POST", `/api/mailings/${mailing.id}/sources`, { kind: "person", refId: id }));
    return mailing;
  }

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    db = server.server.handle.db;
    typeId = (
      await ok<{ id: number }>(admin.send("POST", "/api/subscription-types", { name: "Tilbud" }), 201)
    ).id;
    outboxAccount = (
      await ok<{ id: number }>(
        admin.send("POST", "/api/sending-accounts", {
          name: "SMS-utboks",
          kind: "sms-outbox",
          ratePerSecond: 1000,
          timeZone: zoneWhereItIs(12),
        }),
        201,
      )
    ).id;
    const person = async (key: string, firstName: string, mobile: string | null, subscribed = true) => {
      people[key] = (await aPerson(db, { firstName, mobile, email: `${key}@mottaker.example` })).id;
      if (subscribed)
        await setSubscription(db, people[key]!, { typeId, status: "subscribed", source: "manual" });
    };
    await person("anne", "Anne", "+47 912 34 567");
    await person("orjan", "Ørjan 😀", "91234569");
    await person("carl", "Carl", null);
    await person("dina", "Dina", "912 34 567");
    await person("gro", "Gro", "+4791234570", false);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it("counts, previews, tests and sends an SMS mailing through the local SMS outbox", async () => {
    const all = ["anne", "orjan", "carl", "dina", "gro"].map((k) => people[k]!);
    const mailing = await anSmsMailing(outboxAccount, all);
    expect(mailing.type).toBe("sms");

    const shown = await ok<{ recipients: unknown; canSend: boolean }>(
      admin.get(`/api/mailings/${mailing.id}`),
    );
    // Carl has no mobile: left out and counted. Dina shares Anne's phone: one text per number.
    expect(shown.recipients).toEqual({
      listed: 4,
      eligible: 2,
      blocked: { duplicate: 1, "no-subscription": 1 },
      blockedTotal: 2,
      leftOut: 1,
      leftOutByReason: { "no-mobile": 1 },
    });
    expect(shown.canSend).toBe(true);
    const rows = await ok<{
      items: { id: number; personId: number; mobile: string | null; blockReason: string | null }[];
    }>(admin.get(`/api/mailings/${mailing.id}/recipients?limit=50`));
    const rowOf = (key: string) => rows.items.find((r) => r.personId === people[key]);
    expect(rowOf("gro")?.blockReason).toBe("no-subscription");
    expect([rowOf("anne")?.blockReason, rowOf("dina")?.blockReason].sort()).toEqual(["duplicate", null]);
    expect(rowOf("orjan")?.mobile).toBe("+4791234569");

    const preview = await ok<{
      text: string;
      encoding: string;
      parts: number;
      recipient: { mobile: string };
    }>(admin.get(`/api/mailings/${mailing.id}/sms-preview?recipientId=${rowOf("orjan")!.id}`));
    expect(preview.text).toBe(
      "Hei Ørjan 😀! Vårsalg: 20% på alt i butikken i dag.\nSvar STOPP for å melde deg av",
    );
    expect(preview.recipient.mobile).toBe("+4791234569");
    // The emoji makes it UCS-2: 81 code units are more than 70, so two parts of 67.
    expect(preview).toMatchObject({ encoding: "ucs2", characters: 81, parts: 2 });
    const summary = await ok(admin.get(`/api/mailings/${mailing.id}/sms-summary`));
    expect(summary).toEqual({ recipients: 2, maxParts: 2, multipart: 1, totalParts: 3 });

    const refused = await admin.send("POST", `/api/mailings/${mailing.id}/test-sms`, {
      numbers: "+47 912 34 580; 12",
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: {
        code: "VALIDATION_FAILED",
        details: {
          field: "numbers",
          value: "12",
          position: 2,
          // A kind the UI says in its own language ("er ikke et gyldig telefonnummer").
          fields: [{ field: "numbers", kind: "not-a-phone" }],
        },
      },
    });
    const tested = await ok<{ sent: { number: string; status: string }[] }>(
      admin.send("POST", `/api/mailings/${mailing.id}/test-sms`, { numbers: "912 34 580" }),
    );
    expect(tested.sent).toEqual([expect.objectContaining({ number: "+4791234580", status: "accepted" })]);

    await ok(admin.send("POST", `/api/mailings/${mailing.id}/send`));
    await untilFinished(admin, mailing.id);
    const stats = await ok<{ sms: Record<string, unknown> }>(
      admin.get(`/api/mailings/${mailing.id}/statistics`),
    );
    // The outbox stands for the phone: each text it takes is reported delivered at once.
    expect(stats.sms).toMatchObject({
      sent: 2,
      delivered: 2,
      failed: 0,
      awaitingReport: 0,
      parts: 3,
      optOuts: 0,
    });
    expect((stats.sms.timeline as { sent: number }[]).reduce((n, h) => n + h.sent, 0)).toBe(2);

    const outbox = await ok<{ items: { to: string; channel: string; text: string; isTest: boolean }[] }>(
      admin.get(`/api/outbox?mailingId=${mailing.id}`),
    );
    expect(outbox.items.map((m) => [m.to, m.channel, m.isTest]).sort()).toEqual([
      ["+4791234567", "sms", false],
      ["+4791234569", "sms", false],
      ["+4791234580", "sms", true],
    ]);
    expect(outbox.items.find((m) => m.to === "+4791234567")!.text).toBe(
      "Hei Anne! Vårsalg: 20% på alt i butikken i dag.\nSvar STOPP for å melde deg av",
    );
  });

  it("holds a mailing outside the account's sending window and says until when", async () => {
    const night = await ok<{ id: number }>(
      admin.send("POST", "/api/sending-accounts", {
        name: "Natt",
        kind: "sms-outbox",
        ratePerSecond: 1000,
        timeZone: zoneWhereItIs(3),
      }),
      201,
    );
    const mailing = await anSmsMailing(night.id, [people.anne!], "Natt");
    const before = await ok<{ smsWindow: { open: boolean; opensAt: string } }>(
      admin.get(`/api/mailings/${mailing.id}`),
    );
    expect(before.smsWindow.open).toBe(false);
    await ok(admin.send("POST", `/api/mailings/${mailing.id}/send`));
    const waiting = await waitFor(
      () =>
        db
          .selectFrom("deliveries")
          .select(["status", "next_try_at"])
          .where("mailing_id", "=", mailing.id)
          .executeTakeFirst(),
      (d) => d !== undefined && d.status === "pending" && d.next_try_at > new Date().toISOString(),
    );
    expect(waiting?.next_try_at).toBe(before.smsWindow.opensAt);
    const outbox = await ok<{ total: number }>(admin.get(`/api/outbox?mailingId=${mailing.id}`));
    expect(outbox.total).toBe(0);
    await ok(admin.send("POST", `/api/mailings/${mailing.id}/cancel`));
  });

  describe("through Twilio", () => {
    let twilio: FakeTwilio;
    let accountId: number;
    beforeAll(async () => {
      twilio = await startFakeTwilio();
      accountId = (
        await ok<{ id: number }>(
          admin.send("POST", "/api/sending-accounts", {
            name: "Twilio",
            kind: "twilio",
            username: twilio.accountSid,
            password: twilio.authToken,
            apiUrl: twilio.url,
            ratePerSecond: 100,
            timeZone: zoneWhereItIs(12),
          }),
          201,
        )
      ).id;
    });
    afterAll(async () => twilio?.close());

    const signed = (url: string, params: Record<string, string>, token: string) =>
      createHmac("sha1", token)
        .update(
          Object.keys(params)
            .sort()
            .reduce((acc, k) => acc + k + params[k], url),
        )
        .digest("base64");

    async function inbound(params: Record<string, string>, token: string) {
      const url = `${server.url}/hooks/twilio/${accountId}/inbound`;
      return fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": signed(url, params, token),
        },
        body: new URLSearchParams(params).toString(),
      });
    }

    it("is accepted, reported by signed status callbacks, and a STOPP reply unsubscribes the person", async () => {
      const mailing = await anSmsMailing(accountId, [people.anne!, people.orjan!], "Via Twilio");
      await ok(admin.send("POST", `/api/mailings/${mailing.id}/send`));
      await untilFinished(admin, mailing.id);
      expect(twilio.messages.map((m) => m.to).sort()).toEqual(["+4791234567", "+4791234569"]);
      const anne = twilio.messages.find((m) => m.to === "+4791234567")!;
      const orjan = twilio.messages.find((m) => m.to === "+4791234569")!;
      expect(anne.from).toBe("Fjordlys");
      expect(anne.statusCallback).toBe(`${server.url}/hooks/twilio/${accountId}/status`);

      const awaiting = await ok<{ sms: Record<string, number> }>(
        admin.get(`/api/mailings/${mailing.id}/statistics`),
      );
      expect(awaiting.sms).toMatchObject({ sent: 2, awaitingReport: 2, delivered: 0 });
      const forged = await twilio.sendForgedStatusCallback(anne.statusCallback!, {
        sid: anne.sid,
        status: "delivered",
      });
      expect(forged.status).toBeGreaterThanOrEqual(400);
      expect(
        (await twilio.sendStatusCallback(anne.statusCallback!, { sid: anne.sid, status: "delivered" }))
          .status,
      ).toBe(200);
      // Twilio may post a final status twice; the second changes nothing.
      expect(
        (await twilio.sendStatusCallback(anne.statusCallback!, { sid: anne.sid, status: "delivered" }))
          .status,
      ).toBe(200);
      expect(
        (
          await twilio.sendStatusCallback(orjan.statusCallback!, {
            sid: orjan.sid,
            status: "undelivered",
            errorCode: "30003",
          })
        ).status,
      ).toBe(200);
      const reported = await ok<{ sms: Record<string, number> }>(
        admin.get(`/api/mailings/${mailing.id}/statistics`),
      );
      expect(reported.sms).toMatchObject({ sent: 2, delivered: 1, failed: 1, awaitingReport: 0 });
      const failed = await db
        .selectFrom("deliveries")
        .select(["status", "provider_code"])
        .where("mailing_id", "=", mailing.id)
        .where("address", "=", "+4791234569")
        .executeTakeFirstOrThrow();
      expect(failed).toEqual({ status: "failed", provider_code: "30003" });

      const reply = { From: "+4791234567", To: "+4759446000", Body: "Stopp takk", MessageSid: "SM1" };
      expect((await inbound(reply, "wrong-token")).status).toBeGreaterThanOrEqual(400);
      const answered = await inbound(reply, twilio.authToken);
      expect(answered.status).toBe(200);
      expect(await answered.text()).toBe("<Response></Response>");
      expect(
        (await inbound({ ...reply, Body: "Takk for tilbudet!", MessageSid: "SM2" }, twilio.authToken)).status,
      ).toBe(200);

      const replies = await ok<{ items: { from: string; kind: string; personName: string; text: string }[] }>(
        admin.get(`/api/mailings/${mailing.id}/sms-replies`),
      );
      expect(replies.items.map((r) => [r.kind, r.text, r.personName])).toEqual([
        [
          "reply",
          "Takk for tilbudet!",
          `Anne Person${String(replies.items[0]!.personName).split("Person")[1]}`,
        ],
        ["opt-out", "Stopp takk", replies.items[1]!.personName],
      ]);
      const subscription = await db
        .selectFrom("person_subscriptions")
        .select("status")
        .where("person_id", "=", people.anne!)
        .where("type_id", "=", typeId)
        .executeTakeFirstOrThrow();
      expect(subscription.status).toBe("unsubscribed");
      const history = await db
        .selectFrom("consent_history")
        .select(["source", "comment"])
        .where("person_id", "=", people.anne!)
        .where("subscription_type_id", "=", typeId)
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      expect(history.source).toBe("sms-reply");
      const stats = await ok<{ sms: Record<string, number> }>(
        admin.get(`/api/mailings/${mailing.id}/statistics`),
      );
      expect(stats.sms.optOuts).toBe(1);
    });
  });
});
