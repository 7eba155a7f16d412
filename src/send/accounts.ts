// Sending accounts (SMTP servers or the local outbox, with their rate) and sending domains (DKIM keys, bounce
// domain). Admin settings; the outbox account exists from the first start so a laptop can send at once.
import type { Db } from "../db/connect.ts";
import type { DkimSigner, SendingDomain } from "../sending-domains/api-schemas.ts";
import { dkimDnsRecord, generateDkimKeyPair } from "../sending-domains/dkim-keys.ts";
import { type EhloToCheck, lastCheck } from "../sending-domains/dns-check.ts";
import type { CheckStatus } from "../sending-domains/dns-records.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, conflict, type FieldProblem, invalid, notFound } from "../shared/errors.ts";
import { randomToken } from "../shared/ids.ts";
import { timeZoneProblem } from "../sms/window.ts";
import { BUILT_IN_OUTBOX_NAME } from "./account-names.ts";
import {
  caCertificateProblem,
  defaultTlsMode,
  ehloNameFor,
  ehloNameProblem,
  isLoopbackHost,
  parseCaCertificate,
  type TlsMode,
  tlsModeProblem,
} from "./channels/email/smtp-settings.ts";
import { ACCOUNT_KINDS } from "./channels/index.ts";
import { warmUpView } from "./warm-up.ts";

export type AccountInput = {
  name?: string;
  /** One of the kinds the channels register (ACCOUNT_KINDS). */
  kind?: string;
  host?: string | null;
  port?: number | null;
  /** SMTP: how the session is protected; the default is starttls-required (opportunistic toward a loopback relay). */
  tlsMode?: TlsMode;
  /** SMTP: the name given in EHLO; null or empty is the host of the public URL. */
  ehloName?: string | null;
  /** SMTP: a PEM CA certificate to trust for this server; null or empty removes it. */
  caCertificate?: string | null;
  username?: string | null;
  password?: string | null;
  ratePerSecond?: number;
  maxConnections?: number;
  isDefault?: boolean;
  /** SMS: the zone of the account's sending window (SPEC §12), default Europe/Oslo. */
  timeZone?: string | null;
  /** Twilio: the API's base address, when not Twilio's own (a regional edge, a test server). */
  apiUrl?: string | null;
};

export type AccountRow = NonNullable<Awaited<ReturnType<typeof accountRow>>>;

function accountRow(db: Db, id: number) {
  return db.selectFrom("sending_accounts").selectAll().where("id", "=", id).executeTakeFirst();
}

/** What keeps an SMTP account from sending, in words for the admin (empty when it can send). */
export function accountProblems(r: AccountRow, publicUrl: string): string[] {
  if (r.kind !== "smtp") return [];
  const problems: string[] = [];
  const ehlo = ehloNameFor({ host: r.host, ehloName: r.ehlo_name }, publicUrl);
  if (!ehlo.ok) problems.push(ehlo.problem);
  const tls = tlsModeProblem(r.tls_mode, r.host);
  if (tls) problems.push(`TLS mode: ${tls}`);
  return problems;
}

/**
 * What keeps a mailing's sending account from sending, as problems of its Setup step: Send and Schedule refuse with
 * them (MAILING_NOT_READY) instead of starting a mailing whose every delivery would fail at connect.
 */
export async function sendingAccountBlockers(
  db: Db,
  mailingId: number,
  publicUrl: string,
): Promise<
  Array<{ step: "setup"; code: "sending-account-unusable"; field: "sendingAccountId"; message: string }>
> {
  const row = await db
    .selectFrom("mailings as m")
    .innerJoin("sending_accounts as a", "a.id", "m.sending_account_id")
    .selectAll("a")
    .where("m.id", "=", mailingId)
    .executeTakeFirst();
  if (!row) return [];
  const problems = accountProblems(row, publicUrl);
  if (problems.length === 0) return [];
  return [
    {
      step: "setup",
      code: "sending-account-unusable",
      field: "sendingAccountId",
      message: `Sending account "${row.name}" cannot send: ${problems.join("; ")}`,
    },
  ];
}

/** Every SMTP account with the EHLO name it greets with, for the sending-domain DNS check's EHLO lines. */
export async function ehloAccountsToCheck(db: Db, publicUrl: string): Promise<EhloToCheck[]> {
  const accounts = await db
    .selectFrom("sending_accounts")
    .select(["id", "name", "host", "ehlo_name"])
    .where("kind", "=", "smtp")
    .orderBy("id")
    .execute();
  return accounts.map((a) => ({
    accountId: a.id,
    accountName: a.name,
    host: a.host,
    loopback: isLoopbackHost(a.host),
    ehlo: ehloNameFor({ host: a.host, ehloName: a.ehlo_name }, publicUrl),
  }));
}

function caInfo(pem: string | null) {
  if (!pem) return null;
  try {
    return { pem, ...parseCaCertificate(pem) };
  } catch {
    return { pem, subject: "", validTo: "" };
  }
}

/** The account as the API shows it: never the password. */
function toAccount(r: AccountRow, publicUrl: string) {
  const ehlo = ehloNameFor({ host: r.host, ehloName: r.ehlo_name }, publicUrl);
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    host: r.host,
    port: r.port,
    tlsMode: r.tls_mode as TlsMode,
    /** The configured EHLO name (null: the public URL's host). */
    ehloName: r.ehlo_name,
    /** The name EHLO will give, or null when there is none it may give (see `problems`). */
    effectiveEhloName: ehlo.ok ? ehlo.name : null,
    caCertificate: caInfo(r.ca_certificate),
    problems: accountProblems(r, publicUrl),
    username: r.username,
    hasPassword: Boolean(r.password),
    ratePerSecond: r.rate_per_second,
    maxConnections: r.max_connections,
    isDefault: r.is_default === 1,
    timeZone: r.time_zone,
    apiUrl: r.api_url,
  };
}

export type SendingAccount = ReturnType<typeof toAccount>;

/** For callers without a configuration (tests, scripts): the config's own default. */
const DEFAULT_PUBLIC_URL = "http://localhost:3000";

const HOST = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i;

const blankToNull = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);

function accountColumns(input: AccountInput, kind: string, problems: FieldProblem[], existing?: AccountRow) {
  if (!ACCOUNT_KINDS.includes(kind))
    problems.push({
      field: "kind",
      message: `must be one of ${ACCOUNT_KINDS.join(", ")}`,
      kind: "enum",
      params: { values: ACCOUNT_KINDS.join(", ") },
    });
  if (input.name !== undefined && !input.name.trim())
    problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  const ehloName = blankToNull(input.ehloName)?.toLowerCase();
  const caCertificate = blankToNull(input.caCertificate);
  let tlsMode = input.tlsMode;
  if (kind === "smpp" && input.host !== undefined && (!input.host || !HOST.test(input.host)))
    problems.push({ field: "host", message: "must be a host name or address", kind: "not-a-host" });
  if (kind === "smtp") {
    if (input.host !== undefined && (!input.host || !HOST.test(input.host)))
      problems.push({ field: "host", message: "must be a host name or address", kind: "not-a-host" });
    const host = input.host !== undefined ? input.host : (existing?.host ?? null);
    const port = input.port !== undefined ? input.port : (existing?.port ?? null);
    if (!existing) tlsMode ??= defaultTlsMode(host, port);
    const mode = tlsMode ?? existing?.tls_mode;
    const tlsProblem = mode ? tlsModeProblem(mode, host) : null;
    if (tlsProblem)
      problems.push({ field: input.tlsMode ? "tlsMode" : "host", message: tlsProblem, kind: "tls-mode" });
    const ehloProblem = ehloName ? ehloNameProblem(ehloName) : null;
    if (ehloProblem) problems.push({ field: "ehloName", message: ehloProblem, kind: "not-a-fqdn" });
    const caProblem = caCertificate ? caCertificateProblem(caCertificate) : null;
    if (caProblem) problems.push({ field: "caCertificate", message: caProblem, kind: "not-a-certificate" });
  }
  if (input.timeZone) {
    const problem = timeZoneProblem(input.timeZone);
    if (problem) problems.push({ field: "timeZone", message: problem, kind: "not-a-time-zone" });
  }
  if (input.apiUrl && !/^https?:\/\/[^\s/]+/.test(input.apiUrl))
    problems.push({
      field: "apiUrl",
      message: "must be an http(s) address",
      kind: "format",
      params: { format: "url" },
    });
  return Object.fromEntries(
    Object.entries({
      name: input.name?.trim(),
      kind: input.kind,
      host: input.host,
      port: input.port,
      tls_mode: tlsMode,
      ehlo_name: ehloName,
      ca_certificate: caCertificate,
      username: input.username,
      password: input.password,
      rate_per_second: input.ratePerSecond,
      max_connections: input.maxConnections,
      is_default: input.isDefault === undefined ? undefined : input.isDefault ? 1 : 0,
      time_zone: input.timeZone,
      api_url: input.apiUrl,
    }).filter(([, v]) => v !== undefined),
  );
}

export async function createAccount(
  db: Db,
  input: AccountInput,
  publicUrl = DEFAULT_PUBLIC_URL,
): Promise<SendingAccount> {
  const problems: FieldProblem[] = [];
  const kind = input.kind ?? "smtp";
  if (!input.name?.trim()) problems.push({ field: "name", message: "is required", kind: "required" });
  if (kind === "smtp" && !input.host)
    problems.push({ field: "host", message: "an SMTP account needs a host", kind: "required" });
  if (kind === "smtp" && !input.port)
    problems.push({ field: "port", message: "an SMTP account needs a port", kind: "required" });
  if (kind === "smpp") {
    if (!input.host)
      problems.push({ field: "host", message: "an SMPP account needs the SMSC's host", kind: "required" });
    if (!input.port)
      problems.push({ field: "port", message: "an SMPP account needs a port", kind: "required" });
    if (!input.username)
      problems.push({ field: "username", message: "an SMPP account needs a system_id", kind: "required" });
  }
  if (kind === "twilio") {
    if (!input.username)
      problems.push({
        field: "username",
        message: "a Twilio account needs its Account SID",
        kind: "required",
      });
    if (!input.password)
      problems.push({
        field: "password",
        message: "a Twilio account needs its auth token",
        kind: "required",
      });
  }
  const columns = accountColumns(input, kind, problems);
  if (problems.length > 0) throw invalid(problems);
  const now = isoNow();
  const id = await db.transaction().execute(async (trx) => {
    if (input.isDefault) await trx.updateTable("sending_accounts").set({ is_default: 0 }).execute();
    const row = await trx
      .insertInto("sending_accounts")
      .values({
        rate_per_second: 10,
        max_connections: 5,
        is_default: 0,
        ...columns,
        name: input.name!.trim(),
        kind,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
  return getAccount(db, id, publicUrl);
}

export async function updateAccount(
  db: Db,
  id: number,
  input: AccountInput,
  publicUrl = DEFAULT_PUBLIC_URL,
): Promise<SendingAccount> {
  const existing = await accountRow(db, id);
  if (!existing) throw notFound("sending account", id);
  const problems: FieldProblem[] = [];
  const columns = accountColumns(input, input.kind ?? existing.kind, problems, existing);
  if (problems.length > 0) throw invalid(problems);
  await db.transaction().execute(async (trx) => {
    if (input.isDefault) await trx.updateTable("sending_accounts").set({ is_default: 0 }).execute();
    await trx
      .updateTable("sending_accounts")
      .set({ ...columns, updated_at: isoNow() })
      .where("id", "=", id)
      .execute();
  });
  return getAccount(db, id, publicUrl);
}

export async function getAccount(
  db: Db,
  id: number,
  publicUrl = DEFAULT_PUBLIC_URL,
): Promise<SendingAccount> {
  const row = await accountRow(db, id);
  if (!row) throw notFound("sending account", id);
  return toAccount(row, publicUrl);
}

/** With the password: for the send loop only. */
export async function accountForSending(db: Db, id: number): Promise<AccountRow> {
  const row = await accountRow(db, id);
  if (!row) throw notFound("sending account", id);
  return row;
}

export async function listAccounts(db: Db, publicUrl = DEFAULT_PUBLIC_URL): Promise<SendingAccount[]> {
  const rows = await db.selectFrom("sending_accounts").selectAll().orderBy("id").execute();
  return rows.map((r) => toAccount(r, publicUrl));
}

export async function ensureOutboxAccount(db: Db): Promise<void> {
  const any = await db.selectFrom("sending_accounts").select("id").executeTakeFirst();
  if (any) return;
  const now = isoNow();
  await db
    .insertInto("sending_accounts")
    .values({
      name: BUILT_IN_OUTBOX_NAME,
      kind: "outbox",
      rate_per_second: 50,
      max_connections: 1,
      is_default: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function toDomain(r: {
  id: number;
  domain: string;
  dkim_selector: string;
  dkim_public_key: string;
  dkim_signer: DkimSigner;
  relay_dkim_selector: string | null;
  bounce_domain: string;
  created_at: string;
  dns_status: CheckStatus | null;
  dns_result: string | null;
  dns_checked_at: string | null;
  warmup_enabled: number;
  warmup_start_per_day: number | null;
  warmup_growth: number | null;
  warmup_until_per_day: number | null;
  warmup_started_on: string | null;
}): SendingDomain {
  return {
    id: r.id,
    domain: r.domain,
    dkimSelector: r.dkim_selector,
    dkimSigner: r.dkim_signer,
    relayDkimSelector: r.relay_dkim_selector,
    bounceDomain: r.bounce_domain,
    // Records that can be published as they are; what depends on the set-up is advice, not a record. A relay
    // that signs publishes its own key (SES and Mailgun give the record to copy), so utsend's is not offered.
    dnsRecords: [
      ...(r.dkim_signer === "utsend" ? [dkimDnsRecord(r.dkim_selector, r.domain, r.dkim_public_key)] : []),
      {
        name: `_dmarc.${r.domain}`,
        type: "TXT" as const,
        value: `v=DMARC1; p=none; rua=mailto:dmarc@${r.domain}`,
      },
    ],
    advice: [
      ...(r.dkim_signer === "relay"
        ? [
            `DKIM: the SMTP relay signs ${r.domain}'s mail; publish the record it gives you at ${r.relay_dkim_selector}._domainkey.${r.domain} (a CNAME to the relay's record works too). Every account that sends for ${r.domain} must sign for it: utsend adds no signature.`,
          ]
        : []),
      `SPF: add the SMTP server that sends for utsend to the TXT record of ${r.domain} (one SPF record per name).`,
      `Bounces: point the MX record of ${r.bounce_domain} at the host that receives bounces for utsend.`,
      "EHLO name: each SMTP account greets its server with its EHLO name (shown on the account, by default the public URL's host); give that name an A/AAAA record for the sending address, and the address a PTR record back to the name (set by whoever owns the address, usually the hosting provider). The DNS check shows each account's name and what its records say.",
    ],
    createdAt: r.created_at,
    warmUp: warmUpView(r),
    /** The last DNS check (SPF, DKIM, DMARC, bounce domain, EHLO names), or null when the domain was never checked. */
    check: lastCheck(r),
  };
}

export type { SendingDomain };

/** Registers a domain: utsend makes and keeps the DKIM key pair; the records to publish come back. */
export async function createDomain(
  db: Db,
  input: {
    domain: string;
    bounceDomain?: string | null;
    selector?: string | null;
    dkimSigner?: DkimSigner;
    relayDkimSelector?: string | null;
  },
) {
  const domain = input.domain.trim().toLowerCase();
  const bounceDomain = (input.bounceDomain ?? `bounces.${domain}`).trim().toLowerCase();
  const selector =
    input.selector?.trim() ||
    `utsend${randomToken(3)
      .replace(/[^a-z0-9]/gi, "")
      .toLowerCase()}`;
  const problems: FieldProblem[] = [];
  if (!DOMAIN.test(domain))
    problems.push({
      field: "domain",
      message: `"${input.domain}" is not a domain name`,
      kind: "not-a-domain",
    });
  if (!DOMAIN.test(bounceDomain))
    problems.push({
      field: "bounceDomain",
      message: `"${input.bounceDomain}" is not a domain name`,
      kind: "not-a-domain",
    });
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(selector))
    problems.push({
      field: "selector",
      message: "letters, digits and -",
      kind: "allowed-characters",
      params: { characters: "a–z 0–9 -" },
    });
  const signing = signingInput(input, problems);
  if (problems.length > 0) throw invalid(problems);
  if (await db.selectFrom("sending_domains").select("id").where("domain", "=", domain).executeTakeFirst())
    throw conflict("domain", `${domain} is registered already`);
  const keys = generateDkimKeyPair();
  const row = await db
    .insertInto("sending_domains")
    .values({
      domain,
      dkim_selector: selector,
      dkim_private_key: keys.privateKeyPem,
      dkim_public_key: keys.publicKeyPem,
      bounce_domain: bounceDomain,
      dkim_signer: signing.signer,
      relay_dkim_selector: signing.relaySelector,
      created_at: isoNow(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDomain(row);
}

/** Who signs, as given: the relay needs the selector its key is published under; utsend keeps none. */
function signingInput(
  input: { dkimSigner?: DkimSigner; relayDkimSelector?: string | null },
  problems: FieldProblem[],
): { signer: DkimSigner; relaySelector: string | null } {
  const signer = input.dkimSigner ?? "utsend";
  const relaySelector = input.relayDkimSelector?.trim() || null;
  if (signer === "relay" && !relaySelector)
    problems.push({
      field: "relayDkimSelector",
      message: "the selector the relay signs with is needed, so the DNS check can verify its published key",
      kind: "required",
    });
  if (relaySelector && !/^[a-z0-9][a-z0-9-]{0,62}$/i.test(relaySelector))
    problems.push({
      field: "relayDkimSelector",
      message: "letters, digits and -",
      kind: "allowed-characters",
      params: { characters: "a–z 0–9 -" },
    });
  return { signer, relaySelector: signer === "relay" ? relaySelector : null };
}

/** Switches who signs the domain's mail. The last DNS check judged the other key, so it is dropped. */
export async function setDomainSigning(
  db: Db,
  id: number,
  input: { dkimSigner: DkimSigner; relayDkimSelector?: string | null },
): Promise<SendingDomain> {
  const problems: FieldProblem[] = [];
  const signing = signingInput(input, problems);
  if (problems.length > 0) throw invalid(problems);
  const row = await db
    .updateTable("sending_domains")
    .set({
      dkim_signer: signing.signer,
      relay_dkim_selector: signing.relaySelector,
      dns_status: null,
      dns_result: null,
      dns_checked_at: null,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound("sending domain", id);
  return toDomain(row);
}

export async function listDomains(db: Db): Promise<SendingDomain[]> {
  const rows = await db.selectFrom("sending_domains").selectAll().orderBy("domain").execute();
  return rows.map(toDomain);
}

export async function getDomain(db: Db, id: number): Promise<SendingDomain> {
  const row = await db.selectFrom("sending_domains").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound("sending domain", id);
  return toDomain(row);
}

export async function deleteDomain(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom("sending_domains").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("sending domain", id);
}

/** The key utsend signs a domain's mail with; undefined when the domain's relay signs it. */
export function dkimSigningKey(domain: {
  domain: string;
  dkim_signer: DkimSigner;
  dkim_selector: string;
  dkim_private_key: string;
}): { domainName: string; keySelector: string; privateKey: string } | undefined {
  if (domain.dkim_signer === "relay") return undefined;
  return {
    domainName: domain.domain,
    keySelector: domain.dkim_selector,
    privateKey: domain.dkim_private_key,
  };
}

export async function domainForSending(db: Db, domain: string) {
  return db
    .selectFrom("sending_domains")
    .selectAll()
    .where("domain", "=", domain.toLowerCase())
    .executeTakeFirst();
}

/** The signing secret: configured, or generated once and kept in the database so every process shares it. */
export async function ensureSecret(db: Db, configured: string): Promise<string> {
  if (configured) return configured;
  const stored = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", "secret")
    .executeTakeFirst();
  if (stored) return stored.value;
  await db
    .insertInto("settings")
    .values({ key: "secret", value: randomToken(32) })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const row = await db.selectFrom("settings").select("value").where("key", "=", "secret").executeTakeFirst();
  if (!row) throw new AppError("INTERNAL", "could not store the signing secret");
  return row.value;
}
