// Builders for mailings that are ready to send: a sending domain with DKIM, an account, content, recipients; and
// `utsend worker` as a child process on a test database.
import { type ChildProcess, spawn } from "node:child_process";
import { expect } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import type { Keyring } from "../../src/deliveries/tokens.ts";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createMailing, type MailingInput } from "../../src/mailings/store.ts";
import { createAccount, createDomain } from "../../src/send/accounts.ts";
import type { TlsMode } from "../../src/send/channels/email/smtp-settings.ts";
import { beginSending } from "../../src/send/planner.ts";
import { createSendWorker } from "../../src/send/worker.ts";
import type { TestDb } from "./dialects.ts";
import type { SinkMessage } from "./smtp-sink.ts";

export const CONTENT = `<html><head><style>p { color: #123456; }</style></head><body>
<p>Hei [[customer.firstname | default: "venn"]]!</p>
<p>[% if customer.language == "en" %]Hello[% else %]Hallo[% endif %] fra [[company.name | default: "oss"]].</p>
<p><a href="[[link.unsubscribe]]">Meld deg av</a></p></body></html>`;

let domainCounter = 0;

export async function aSendingSetup(
  db: Db,
  smtp?: {
    host: string;
    port: number;
    ratePerSecond?: number;
    maxConnections?: number;
    tlsMode?: TlsMode;
    ehloName?: string | null;
    caCertificate?: string | null;
  },
) {
  const domain = await createDomain(db, { domain: `firma${++domainCounter}.example` });
  const account = smtp
    ? await createAccount(db, {
        name: "Sink",
        kind: "smtp",
        host: smtp.host,
        port: smtp.port,
        ratePerSecond: smtp.ratePerSecond ?? 1000,
        maxConnections: smtp.maxConnections ?? 4,
        tlsMode: smtp.tlsMode,
        ehloName: smtp.ehloName,
        caCertificate: smtp.caCertificate,
        isDefault: true,
      })
    : await createAccount(db, { name: "Outbox", kind: "outbox", isDefault: true, ratePerSecond: 1000 });
  return { domain, account };
}

export async function aReadyMailing(
  db: Db,
  setup: Awaited<ReturnType<typeof aSendingSetup>>,
  personIds: number[],
  input: MailingInput = {},
) {
  const mailing = await createMailing(
    db,
    {
      name: "Nyhetsbrev",
      subject: 'Nyheter til [[customer.firstname | default: "deg"]]',
      fromName: "Fjordlys",
      fromAddress: `post@${setup.domain.domain}`,
      sendingAccountId: setup.account.id,
      content: CONTENT,
      options: { overrideConsent: true },
      ...input,
    },
    null,
  );
  for (const id of personIds) await addSource(db, mailing.id, { kind: "person", refId: id });
  await resolveRecipients(db, mailing.id);
  return mailing;
}

/** An SMS mailing ready to send through an SMS account to these people: consent overridden, no subscription type. */
export async function aReadySmsMailing(
  db: Db,
  accountId: number,
  personIds: number[],
  input: MailingInput = {},
) {
  const mailing = await createMailing(
    db,
    {
      name: "SMS-kampanje",
      type: "sms",
      sendingAccountId: accountId,
      smsSender: "Fjordlys",
      smsText: 'Hei [[customer.firstname | default: "venn"]]! Vårsalg i dag.',
      options: { overrideConsent: true },
      ...input,
    },
    null,
  );
  for (const id of personIds) await addSource(db, mailing.id, { kind: "person", refId: id });
  await resolveRecipients(db, mailing.id);
  return mailing;
}

/** Runs a send worker in this process, a round at a time, until the mailing is finished (at most 50 rounds). */
export async function sendUntilFinished(
  db: Db,
  dialect: "sqlite" | "postgres",
  keys: Keyring,
  mailingId: number,
): Promise<void> {
  const worker = createSendWorker({
    db,
    dialect,
    publicUrl: "https://utsend.example",
    keys,
    leaseMs: 30_000,
    log: () => {},
  });
  for (let i = 0; i < 50; i++) {
    await worker.tick();
    const m = await db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailingId)
      .executeTakeFirstOrThrow();
    if (m.status === "finished") break;
  }
  await worker.stop();
}

/** Sends a fresh mailing to these people through the sink and returns what the sink received, by address. */
export async function sendToPeople(
  db: Db,
  dialect: "sqlite" | "postgres",
  keys: Keyring,
  setup: Awaited<ReturnType<typeof aSendingSetup>>,
  sink: { messages: SinkMessage[] },
  people: Array<{ id: number }>,
): Promise<Record<string, SinkMessage>> {
  const mailing = await aReadyMailing(
    db,
    setup,
    people.map((p) => p.id),
  );
  await beginSending(db, mailing.id);
  const before = sink.messages.length;
  await sendUntilFinished(db, dialect, keys, mailing.id);
  const got = sink.messages.slice(before);
  expect(got).toHaveLength(people.length);
  return Object.fromEntries(got.map((m) => [m.envelope.to[0]!, m]));
}

/** `utsend worker` in its own process on the test database; `env` adds settings (a short lease, say). */
export function startWorkerProcess(t: TestDb, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["bin/utsend.js", "worker"], {
    env: {
      ...process.env,
      UTSEND_DATABASE_URL: t.url,
      UTSEND_DATABASE_SCHEMA: t.dialect === "postgres" ? t.schema : "public",
      UTSEND_SECRET: "worker-test-secret",
      UTSEND_LOG_LEVEL: "silent",
      ...env,
    },
    stdio: "ignore",
  });
}
