// A real IMAP server for tests: Debian's Dovecot (2.3) as a child process, configured in a temp dir (plain IMAP on
// 127.0.0.1 and a free port, one test user, Maildir), stopped and removed after the test.
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { partAvailable } from "./requirements.ts";

export const DOVECOT = "/usr/sbin/dovecot";

export type ImapServer = {
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  /** `imap://user:password@127.0.0.1:port/<mailbox>` */
  url(mailbox?: string): string;
  /** Dovecot's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
};

/** True when Dovecot is installed; otherwise skips (fails under UTSEND_REQUIRE_ALL=1). */
export function dovecotAvailable(): boolean {
  return partAvailable(
    "Dovecot",
    existsSync(DOVECOT),
    `${DOVECOT} is missing (apt-get install dovecot-imapd)`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server sends its IMAP greeting. */
function greeting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(data.toString().startsWith("* OK")));
    socket.connect(port, "127.0.0.1");
  });
}

function idsOf(name: string): { uid: number; gid: number } | null {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startImapServer(): Promise<ImapServer> {
  const dir = mkdtempSync(join(tmpdir(), "utsend-dovecot-"));
  const user = "bounces";
  const password = "imap-test-password";
  const port = await freePort();
  const me = userInfo();
  // Dovecot never gives mail access to root: as root the mail processes run as Debian's `dovecot` user.
  const asRoot = me.uid === 0;
  const mailIds = asRoot ? (idsOf("dovecot") ?? { uid: 65534, gid: 65534 }) : { uid: me.uid, gid: me.gid };
  const mailDir = join(dir, "mail");
  mkdirSync(mailDir);
  chmodSync(dir, 0o755);
  if (asRoot) chownSync(mailDir, mailIds.uid, mailIds.gid);
  writeFileSync(join(dir, "passwd"), `${user}:{PLAIN}${password}::::::\n`);
  const logFile = join(dir, "dovecot.log");
  const conf = join(dir, "dovecot.conf");
  writeFileSync(
    conf,
    [
      "protocols = imap",
      "listen = 127.0.0.1",
      `base_dir = ${join(dir, "run")}`,
      `state_dir = ${join(dir, "state")}`,
      `log_path = ${logFile}`,
      `info_log_path = ${logFile}`,
      `instance_name = utsend-test-${port}`,
      "ssl = no",
      "disable_plaintext_auth = no",
      "auth_mechanisms = plain login",
      `mail_location = maildir:${mailDir}/%u`,
      "first_valid_uid = 1",
      "first_valid_gid = 1",
      ...(asRoot ? [] : [`default_internal_user = ${me.username}`, `default_login_user = ${me.username}`]),
      "passdb {",
      "  driver = passwd-file",
      `  args = scheme=PLAIN username_format=%u ${join(dir, "passwd")}`,
      "}",
      "userdb {",
      "  driver = static",
      `  args = uid=${mailIds.uid} gid=${mailIds.gid} home=${mailDir}/%u`,
      "}",
      "service imap-login {",
      "  inet_listener imap {",
      "    address = 127.0.0.1",
      `    port = ${port}`,
      "  }",
      "  inet_listener imaps {",
      "    port = 0",
      "  }",
      "}",
      "",
    ].join("\n"),
  );

  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const child: ChildProcess = spawn(DOVECOT, ["-F", "-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const deadline = Date.now() + 15_000;
  while (!(await greeting(port))) {
    if (!running || Date.now() > deadline) {
      child.kill("SIGKILL");
      const why = `${output}\n${log()}`;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dovecot did not start: ${why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    url: (mailbox = "INBOX") =>
      `imap://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(mailbox)}`,
    log,
    stop: async () => {
      if (running) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
