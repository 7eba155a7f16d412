// A private Postfix (Debian's, /usr/sbin/postfix) for tests: its own config, queue, data and Maildir under a temporary
// directory, one smtpd on 127.0.0.1 at a free port, strict settings, and a log file the test can read.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { selfSignedCertificate, type TestCertificate } from "./x509.ts";

const run = promisify(execFile);
const POSTFIX = "/usr/sbin/postfix";

/** Whether a private Postfix can be started here, and if not, why. */
export function postfixMissing(): string | null {
  if (!existsSync(POSTFIX)) return `${POSTFIX} is not installed (apt-get install postfix)`;
  if (userInfo().uid !== 0) return "a private Postfix must be started as root";
  return null;
}

export type PostfixOptions = {
  /** smtpd_tls_security_level: `may` offers STARTTLS, `none` does not. */
  tls: "may" | "none";
  /** The only domain it accepts mail for; every address there lands in one Maildir. */
  domain?: string;
};

export type PrivatePostfix = {
  host: "localhost";
  port: number;
  domain: string;
  /** The server's self-signed certificate (CN=localhost). */
  certificate: TestCertificate;
  log(): Promise<string>;
  /** The raw messages delivered so far, oldest first. */
  maildir(): Promise<string[]>;
  /** Waits until `count` messages are in the Maildir. */
  waitForMail(count: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

async function idOf(kind: "-u" | "-g", name: string): Promise<number> {
  return Number((await run("id", [kind, name])).stdout.trim());
}

// chroot "n" everywhere: the private queue directory holds no copies of /etc for a chroot.
const SERVICES = `pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
virtual   unix  - n n -     - virtual
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

export async function startPostfix(options: PostfixOptions): Promise<PrivatePostfix> {
  const dir = await mkdtemp(join(tmpdir(), "utsend-postfix-"));
  // Postfix's own users must reach the data and mail directories below it.
  await chmod(dir, 0o755);
  const conf = join(dir, "conf");
  const [uid, gid] = [await idOf("-u", "postfix"), await idOf("-g", "postfix")];
  for (const sub of ["conf", "queue", "data", "mail"]) await mkdir(join(dir, sub));
  for (const sub of ["data", "mail"]) await chown(join(dir, sub), uid, gid);
  const certificate = selfSignedCertificate("localhost");
  await writeFile(join(conf, "cert.pem"), certificate.pem);
  await writeFile(
    join(conf, "key.pem"),
    certificate.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    { mode: 0o600 },
  );
  const port = await freePort();
  const domain = options.domain ?? "mottak.example";
  await writeFile(
    join(conf, "main.cf"),
    `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.${domain}
mydomain = ${domain}
myorigin = ${domain}
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
alias_maps =
alias_database =
virtual_mailbox_domains = ${domain}
virtual_mailbox_base = ${dir}/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:${uid}
virtual_gid_maps = static:${gid}
virtual_minimum_uid = 1
smtpd_tls_cert_file = ${conf}/cert.pem
smtpd_tls_key_file = ${conf}/key.pem
smtpd_tls_security_level = ${options.tls}
smtpd_tls_loglevel = 1
smtpd_forbid_bare_newline = yes
strict_8bitmime = yes
strict_rfc821_envelopes = yes
smtpd_helo_required = yes
smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname, check_helo_access static:{INFO helo seen}
smtpd_data_restrictions = reject_unauth_pipelining
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
`,
  );
  await writeFile(join(conf, "master.cf"), `127.0.0.1:${port} inet n - n - - smtpd\n${SERVICES}`);
  try {
    await run(POSTFIX, ["-c", conf, "start"]);
  } catch (error) {
    const { stdout } = await run("script", ["-qc", `${POSTFIX} -c ${conf} check`, "/dev/null"]).catch(
      (e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }),
    );
    throw new Error(`postfix -c ${conf} start failed: ${(error as Error).message}\n${stdout}`);
  }

  const log = async () => (existsSync(join(dir, "maillog")) ? readFile(join(dir, "maillog"), "utf8") : "");
  const inbox = join(dir, "mail", "inbox", "new");
  const maildir = async () => {
    if (!existsSync(inbox)) return [];
    const names = (await readdir(inbox)).sort();
    return Promise.all(names.map((n) => readFile(join(inbox, n), "utf8")));
  };
  // The smtpd is listening once master has started it on the first connection; wait for master itself.
  const started = Date.now();
  while (!(await log()).includes("daemon started")) {
    if (Date.now() - started > 10_000) throw new Error(`postfix did not start:\n${await log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host: "localhost",
    port,
    domain,
    certificate,
    log,
    maildir,
    async waitForMail(count, timeoutMs = 10_000) {
      const start = Date.now();
      for (;;) {
        const mail = await maildir();
        if (mail.length >= count) return mail;
        if (Date.now() - start > timeoutMs)
          throw new Error(`Postfix delivered ${mail.length} of ${count} messages:\n${await log()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await run(POSTFIX, ["-c", conf, "stop"]).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The session summary lines ("disconnect from … ehlo=2 starttls=1 … quit=1 commands=7"). */
export function sessionSummaries(log: string): string[] {
  return log.split("\n").filter((line) => /postfix\/smtpd\[\d+\]: disconnect from /.test(line));
}
