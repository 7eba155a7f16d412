// SpamAssassin's daemon on 127.0.0.1 and a free port, local tests only (-L: no DNS blocklists, no network), for the
// spam check's spamc path. Debian's spamd loads its rules in about a second here.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Spamd = { address: string; port: number; stop(): Promise<void> };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startSpamd(): Promise<Spamd> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "utsend-spamd-"));
  const child: ChildProcess = spawn(
    "/usr/sbin/spamd",
    [
      "-i",
      `127.0.0.1:${port}`,
      "-A",
      "127.0.0.1",
      "-m",
      "1",
      "-L",
      "-x",
      "-s",
      "stderr",
      "-r",
      join(dir, "pid"),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  for (let waited = 0; !(await accepts(port)); waited += 100) {
    if (child.exitCode !== null || waited > 30_000) {
      child.kill("SIGKILL");
      throw new Error(`spamd did not start on 127.0.0.1:${port}: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
