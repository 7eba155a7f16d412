// Asks DNS what a sending domain publishes (SPF, DKIM, DMARC, the bounce domain's MX) and whether each SMTP
// account's EHLO name resolves and has a PTR back to it, and keeps the verdict on the domain. DNS that cannot be reached gives "unknown" with the error, never an exception: the check is advice.
import { Resolver } from "node:dns/promises";
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { notFound } from "../shared/errors.ts";
import { dkimDnsRecord } from "./dkim-keys.ts";
import {
  type CheckStatus,
  dmarcNames,
  judgeBounceDomain,
  judgeDkim,
  judgeDmarc,
  judgeEhloName,
  judgeLoopbackRelayEhlo,
  judgeRelayDkim,
  judgeSpf,
  type Lookup,
  overallStatus,
  type RecordCheck,
  tags,
} from "./dns-records.ts";

export type DnsSettings = { servers: string[]; timeoutMs: number };

/** One SMTP account's EHLO name and its forward/reverse DNS. */
export type EhloCheck = {
  accountId: number;
  accountName: string;
  /** The name the account gives in EHLO; null when it has none it may give (the check then fails with why). */
  name: string | null;
  /** Where the name comes from: the account's own, or the host of the public URL. */
  source: "account" | "public-url" | null;
  check: RecordCheck;
};

export type DomainCheck = {
  status: CheckStatus;
  checkedAt: string;
  spf: RecordCheck;
  dkim: RecordCheck;
  dmarc: RecordCheck;
  bounce: RecordCheck;
  /** Every SMTP account's EHLO name. Reported beside the domain, not part of its status: the accounts are not the
   * domain's, and a mailing from the domain may go out through any of them. */
  ehlo: EhloCheck[];
};

/** `UTSEND_DNS_SERVERS` as node's resolver takes it: "1.1.1.1, 10.0.0.2:5353" → ["1.1.1.1", "10.0.0.2:5353"]. */
export function dnsSettings(config: { dnsServers: string; dnsTimeoutMs: number }): DnsSettings {
  const servers = config.dnsServers
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return { servers, timeoutMs: config.dnsTimeoutMs };
}

// Answers that say the record is not there: the check judges them. Anything else (timeout, refused, SERVFAIL)
// means DNS was not asked successfully, and the check must not pretend to know.
const ABSENT = new Set(["ENODATA", "ENOTFOUND"]);

async function ask(query: () => Promise<string[]>): Promise<Lookup> {
  try {
    return { records: await query() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && ABSENT.has(code)) return { records: [] };
    return { error: code ? `${code} (${(error as Error).message})` : (error as Error).message };
  }
}

/** A resolver, or why there is none (a server address node refuses, such as 300.1.1.1): the check is then unknown. */
function resolverFor(settings: DnsSettings): Resolver | { error: string } {
  // One try: a server that does not answer costs one timeout, not four.
  const resolver = new Resolver({ timeout: settings.timeoutMs, tries: 1 });
  try {
    if (settings.servers.length > 0) resolver.setServers(settings.servers);
  } catch (error) {
    return { error: `UTSEND_DNS_SERVERS: ${(error as Error).message}` };
  }
  return resolver;
}

export type DomainToCheck = {
  domain: string;
  dkimSelector: string;
  dkimPublicKeyPem: string;
  /** utsend signs with the key above; relay: the relay signs with its own key, published at relayDkimSelector. */
  dkimSigner?: "utsend" | "relay";
  relayDkimSelector?: string | null;
  bounceDomain: string;
};

/**
 * An SMTP account as the EHLO check needs it: where it connects, whether that is a relay on this machine, and the
 * name it greets with (or why it has none). The send side builds these (send/accounts.ts `ehloAccountsToCheck`), so
 * this folder needs nothing of it.
 */
export type EhloToCheck = {
  accountId: number;
  accountName: string;
  host: string | null;
  loopback: boolean;
  ehlo: { ok: true; name: string; source: "account" | "public-url" } | { ok: false; problem: string };
};

type Using = (query: (r: Resolver) => Promise<string[]>) => Promise<Lookup>;

// More addresses than this behind one EHLO name is a pool; the first few say enough.
const MAX_REVERSE_LOOKUPS = 8;

/** A and AAAA together: an answer when either family answered with addresses, or both answered; else the error. */
function forwardAddresses(v4: Lookup, v6: Lookup): Lookup {
  const records = [v4, v6].flatMap((l) => ("error" in l ? [] : l.records));
  if (records.length > 0) return { records };
  const failed = [v4, v6].find((l) => "error" in l);
  return failed ?? { records: [] };
}

async function checkEhlo(account: EhloToCheck, using: Using): Promise<EhloCheck> {
  const { accountId, accountName, ehlo } = account;
  if (!ehlo.ok)
    return {
      accountId,
      accountName,
      name: null,
      source: null,
      check: { status: "fail", message: ehlo.problem, records: [] },
    };
  const entry = { accountId, accountName, name: ehlo.name, source: ehlo.source };
  if (account.loopback)
    return { ...entry, check: judgeLoopbackRelayEhlo(ehlo.name, account.host ?? "localhost") };
  const [v4, v6] = await Promise.all([
    using((r) => r.resolve4(ehlo.name)),
    using((r) => r.resolve6(ehlo.name)),
  ]);
  const forward = forwardAddresses(v4!, v6!);
  const listed = "error" in forward ? [] : forward.records.slice(0, MAX_REVERSE_LOOKUPS);
  const reverse = await Promise.all(
    listed.map(async (address) => ({ address, lookup: await using((r) => r.reverse(address)) })),
  );
  return { ...entry, check: judgeEhloName(ehlo.name, forward, reverse) };
}

/** Runs every lookup at once; each answer (or failure) is judged on its own. */
export async function checkDomainDns(
  domain: DomainToCheck,
  settings: DnsSettings,
  accounts: EhloToCheck[] = [],
): Promise<DomainCheck> {
  const resolver = resolverFor(settings);
  const using: Using = (query) =>
    "error" in resolver ? Promise.resolve(resolver) : ask(() => query(resolver));
  const txt = (name: string) =>
    using(async (r) => (await r.resolveTxt(name)).map((chunks) => chunks.join("")));
  const dkimRecord = dkimDnsRecord(domain.dkimSelector, domain.domain, domain.dkimPublicKeyPem);
  const relaySigns = domain.dkimSigner === "relay" && !!domain.relayDkimSelector;
  const dkimName = relaySigns ? `${domain.relayDkimSelector}._domainkey.${domain.domain}` : dkimRecord.name;
  const dmarcLookups = dmarcNames(domain.domain);
  // Started first so the accounts' lookups run alongside the domain's.
  const ehloChecks = Promise.all(accounts.map((a) => checkEhlo(a, using)));
  const [spf, dkim, mx, addresses, ...dmarc] = await Promise.all([
    txt(domain.domain),
    txt(dkimName),
    using(async (r) => (await r.resolveMx(domain.bounceDomain)).map((mx) => mx.exchange)),
    using((r) => r.resolve4(domain.bounceDomain)),
    ...dmarcLookups.map(txt),
  ]);
  const ehlo = await ehloChecks;
  const checks = {
    spf: judgeSpf(domain.domain, spf!),
    dkim: relaySigns
      ? judgeRelayDkim(dkimName, dkim!)
      : judgeDkim(dkimRecord.name, tags(dkimRecord.value).get("p") ?? "", dkim!),
    dmarc: judgeDmarc(
      domain.domain,
      dmarcLookups.map((name, i) => ({ name, lookup: dmarc[i]! })),
    ),
    bounce: judgeBounceDomain(domain.bounceDomain, mx!, addresses!),
  };
  return {
    status: overallStatus([checks.spf, checks.dkim, checks.dmarc]),
    checkedAt: isoNow(),
    ...checks,
    ehlo,
  };
}

/** Checks a registered domain now, with every SMTP account's EHLO name, and keeps the result as its last check. */
export async function checkSendingDomain(
  db: Db,
  id: number,
  settings: DnsSettings,
  ehloAccounts: EhloToCheck[],
): Promise<DomainCheck> {
  const row = await db.selectFrom("sending_domains").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound("sending domain", id);
  const check = await checkDomainDns(
    {
      domain: row.domain,
      dkimSelector: row.dkim_selector,
      dkimPublicKeyPem: row.dkim_public_key,
      dkimSigner: row.dkim_signer,
      relayDkimSelector: row.relay_dkim_selector,
      bounceDomain: row.bounce_domain,
    },
    settings,
    ehloAccounts,
  );
  const { status, checkedAt, ...records } = check;
  await db
    .updateTable("sending_domains")
    .set({ dns_status: status, dns_result: JSON.stringify(records), dns_checked_at: checkedAt })
    .where("id", "=", id)
    .execute();
  return check;
}

/** The kept result of a domain's last check, as the API shows it; null before the first check. A result kept
 * before EHLO names were checked has none. */
export function lastCheck(row: {
  dns_status: CheckStatus | null;
  dns_result: string | null;
  dns_checked_at: string | null;
}): DomainCheck | null {
  if (!row.dns_status || !row.dns_result || !row.dns_checked_at) return null;
  const records = JSON.parse(row.dns_result) as Omit<DomainCheck, "status" | "checkedAt" | "ehlo"> & {
    ehlo?: EhloCheck[];
  };
  return { status: row.dns_status, checkedAt: row.dns_checked_at, ...records, ehlo: records.ehlo ?? [] };
}
