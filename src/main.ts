// Composition root: config → database → features → HTTP server. Wired by hand; nothing global.
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { countUsers, createUser } from "./auth/users.ts";
import type { FetchText } from "./bounces/webhooks/sns.ts";
import type { DbHandle } from "./db/connect.ts";
import { openMigrated } from "./db/migrate.ts";
import { keyringFromSecret } from "./deliveries/tokens.ts";
import { isDemoLoaded, loadDemoData } from "./demo/seed.ts";
import { createFormQueue, type FormQueue } from "./forms/queue.ts";
import { buildApp } from "./http/app.ts";
import { startRetention } from "./privacy/retention.ts";
import { ensureOutboxAccount } from "./send/accounts.ts";
import type { Config } from "./shared/config.ts";
import { type Output, sendContext, startWorker } from "./worker.ts";

// Each processing holds one pooled connection at a time; the pool has 10, and the pages need some.
const FORM_QUEUE_POSTGRES_CONCURRENCY = 4;
/** The form queue sweeps twice a lease, at most every 15 s: a dead process's submissions wait at most ~1.5 leases. */
const formSweepMs = (leaseMs: number) => Math.min(15_000, Math.max(1_000, leaseMs / 2));

// The send worker and the document generator's thread, wired in worker.ts so that `utsend worker` loads no HTTP app.
export { type Output, type SendContext, sendContext, startWorker } from "./worker.ts";
export { openMigrated };

/** Creates the first admin when there are no users; a generated password is printed once and never stored in clear. */
export async function ensureAdmin(handle: DbHandle, config: Config, out: Output): Promise<void> {
  if ((await countUsers(handle.db)) > 0) return;
  const generated = config.adminPassword === "";
  const password = generated ? randomBytes(12).toString("base64url") : config.adminPassword;
  await createUser(handle.db, { email: config.adminEmail, name: "Administrator", role: "admin", password });
  out.info(
    generated
      ? `Created admin ${config.adminEmail} with password ${password} (shown once; set UTSEND_ADMIN_PASSWORD to choose it)`
      : `Created admin ${config.adminEmail} with the password from UTSEND_ADMIN_PASSWORD`,
  );
}

export async function ensureDemoData(handle: DbHandle, config: Config, out: Output): Promise<void> {
  if (!config.demoData || (await isDemoLoaded(handle.db))) return;
  const persons = await handle.db
    .selectFrom("persons")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  if (Number(persons.n) > 0) return;
  const summary = await loadDemoData(handle.db, config.defaultCountry);
  out.info(
    `Loaded demo data: ${summary.companies} companies, ${summary.persons} persons, ${summary.selections} selections, ${summary.projects} projects, ${summary.mailings} draft mailing`,
  );
}

export type RunningServer = {
  app: FastifyInstance;
  url: string;
  handle: DbHandle;
  /** Processing of the hosted forms' submissions; tests wait on its idle(). */
  formQueue: FormQueue;
  close(): Promise<void>;
};

export async function startServer(
  config: Config,
  out: Output,
  options: { webRoot?: string; snsFetch?: FetchText } = {},
): Promise<RunningServer> {
  // Loaded (and the mailbox URL checked, before anything starts) only where a bounce mailbox is configured.
  const imap = config.bounceImapUrl ? await import("./bounces/imap-poller.ts") : null;
  const imapSettings = imap?.imapPollerSettings(config) ?? null;
  const handle = await openMigrated(config);
  await ensureAdmin(handle, config, out);
  await ensureDemoData(handle, config, out);
  await ensureOutboxAccount(handle.db);
  // The listening port is known only after listen; links in messages need it when no public URL is configured.
  const sendDeps = { keys: keyringFromSecret(""), publicUrl: "" };
  // Every server processes the submissions its hosted pages stored, and sweeps up what any process left.
  const formQueue = createFormQueue(
    { db: handle.db, config, send: sendDeps },
    {
      leaseMs: config.leaseSeconds * 1000,
      sweepMs: formSweepMs(config.leaseSeconds * 1000),
      concurrency: handle.dialect === "postgres" ? FORM_QUEUE_POSTGRES_CONCURRENCY : 1,
      log: (line) => out.info(line),
    },
  );
  const app = await buildApp({
    handle,
    config,
    send: sendDeps,
    formQueue,
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    ...(options.snsFetch ? { snsFetch: options.snsFetch } : {}),
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  Object.assign(sendDeps, await sendContext(handle, config, url));
  formQueue.start();
  const worker = config.worker ? startWorker(handle, config, sendDeps, out) : null;
  // Every server checks hourly; the guarded claim lets one of them run the day's retention.
  const retention = startRetention(handle.db, (line) => out.info(line));
  const bouncePoller =
    imap && imapSettings
      ? imap.startImapPoller({ ...imapSettings, db: handle.db, keys: sendDeps.keys, log: (l) => out.info(l) })
      : null;
  return {
    app,
    url,
    handle,
    formQueue,
    close: async () => {
      await bouncePoller?.stop();
      await retention.stop();
      await worker?.stop();
      await app.close();
      await formQueue.stop();
      await handle.close();
    },
  };
}
