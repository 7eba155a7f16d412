import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from "../../../../test/helpers/smtp-sink.ts";
import { selfSignedCertificate, type TestCertificate } from "../../../../test/helpers/x509.ts";
import { isHardStatus } from "../../outcomes.ts";
import { buildMessage } from "./message.ts";
import { createSmtpChannel, type SmtpAccount, type SmtpChannel, testSmtpConnection } from "./smtp.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function sink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(options);
  cleanup.push(() => s.close());
  return s;
}

/** A loopback sink without STARTTLS: clear text is allowed toward it. */
const plain = {
  host: "127.0.0.1",
  tlsMode: "none",
  ehloName: "utsend.test.example",
} as const satisfies Partial<SmtpAccount>;

function channel(port: number, maxConnections = 1): SmtpChannel {
  const c = createSmtpChannel({ ...plain, port, maxConnections });
  cleanup.push(() => c.close());
  return c;
}

async function raw(to = "ase@example.com", n = 1): Promise<Buffer> {
  return buildMessage({
    from: { name: "Sørlandet Idrettslag", address: "post@lag.example.no" },
    to: { address: to },
    subject: `Årsmøte ${n}`,
    html: `<p>Melding ${n}</p>`,
    text: `Melding ${n}`,
    messageId: `m1.r${n}.a1@lag.example.no`,
  });
}

const envelope = (to = "ase@example.com") => ({ from: "b+m1.r1.a1.tok@bounce.lag.example.no", to });

describe("SMTP channel", () => {
  it("delivers the raw message byte for byte, with the VERP address as MAIL FROM", async () => {
    const s = await sink();
    const message = await raw();
    const outcome = await channel(s.port).send(envelope(), message);

    expect(outcome).toEqual({ kind: "accepted", reply: expect.stringMatching(/^250 /) });
    const [received] = await s.waitFor(1);
    expect(received?.envelope).toEqual({
      from: "b+m1.r1.a1.tok@bounce.lag.example.no",
      to: ["ase@example.com"],
    });
    expect(received?.raw.equals(message)).toBe(true);
    expect(received?.parsed?.subject).toBe("Årsmøte 1");
  });

  it("reports a 4xx to the recipient as temporary, with its enhanced status", async () => {
    const s = await sink({ rcptReply: () => ({ code: 451, message: "4.3.0 Try again later" }) });
    const outcome = await channel(s.port).send(envelope(), await raw());

    expect(outcome).toEqual({
      kind: "temporary",
      code: 451,
      status: "4.3.0",
      reply: "451 4.3.0 Try again later",
    });
    expect(s.messages).toHaveLength(0);
  });

  it("reports 550 5.1.1 to the recipient as permanent and hard", async () => {
    const s = await sink({ rcptReply: () => ({ code: 550, message: "5.1.1 No such user here" }) });
    const outcome = await channel(s.port).send(envelope(), await raw());

    expect(outcome).toEqual({
      kind: "permanent",
      code: 550,
      status: "5.1.1",
      reply: "550 5.1.1 No such user here",
    });
    expect(outcome.kind === "permanent" && isHardStatus(outcome.status)).toBe(true);
  });

  it("reports 552 after the data as permanent and soft", async () => {
    const s = await sink({ dataReply: () => ({ code: 552, message: "5.2.2 Mailbox full" }) });
    const outcome = await channel(s.port).send(envelope(), await raw());

    expect(outcome).toEqual({
      kind: "permanent",
      code: 552,
      status: "5.2.2",
      reply: "552 5.2.2 Mailbox full",
    });
    expect(outcome.kind === "permanent" && isHardStatus(outcome.status)).toBe(false);
  });

  it("reports unknown, and does not send again, when the connection drops after the data and before the reply", async () => {
    let dataSeen = 0;
    const s = await sink({
      dropAfterData: () => {
        dataSeen++;
        return true;
      },
    });
    const c = channel(s.port);
    const outcome = await c.send(envelope(), await raw());

    expect(outcome).toEqual({ kind: "unknown", reply: expect.stringContaining("Connection closed") });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dataSeen).toBe(1);
  });

  it("keeps working after a dropped connection: the next send opens a new one", async () => {
    let drop = true;
    const s = await sink({ dropAfterData: () => drop });
    const c = channel(s.port);
    expect((await c.send(envelope(), await raw())).kind).toBe("unknown");
    drop = false;
    expect((await c.send(envelope(), await raw("ase@example.com", 2))).kind).toBe("accepted");
    expect(s.connections).toBe(2);
  });

  it("reports temporary when the connection drops before the data was sent", async () => {
    // A server that greets, then hangs up on the first command.
    const server: Server = createServer((socket) => {
      socket.write("220 flaky.example ESMTP\r\n");
      socket.once("data", () => socket.destroy());
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no port");

    const outcome = await channel(address.port).send(envelope(), await raw());
    expect(outcome).toMatchObject({ kind: "temporary", code: null, status: null });
  });

  it("reports temporary when nothing listens on the port", async () => {
    const s = await startSmtpSink();
    const port = s.port;
    await s.close();
    const outcome = await channel(port).send(envelope(), await raw());
    expect(outcome).toMatchObject({ kind: "temporary", code: null, status: null });
  });

  it("reuses its connections: 20 messages over at most 2", async () => {
    const s = await sink({ parse: false });
    const c = channel(s.port, 2);
    const messages = await Promise.all(Array.from({ length: 20 }, (_, i) => raw(`p${i}@example.com`, i)));
    const outcomes = await Promise.all(messages.map((m, i) => c.send(envelope(`p${i}@example.com`), m)));

    expect(outcomes.every((o) => o.kind === "accepted")).toBe(true);
    expect(s.messages).toHaveLength(20);
    expect(s.connections).toBeGreaterThanOrEqual(1);
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it("keeps the connection after a refused recipient and delivers the next message over it", async () => {
    const s = await sink({
      rcptReply: (address) => (address.startsWith("gone") ? { code: 550, message: "5.1.1 Gone" } : null),
    });
    const c = channel(s.port);
    expect((await c.send(envelope("gone@example.com"), await raw("gone@example.com"))).kind).toBe(
      "permanent",
    );
    expect((await c.send(envelope(), await raw())).kind).toBe("accepted");
    expect(s.connections).toBe(1);
  });

  it("waits on close for the sends in flight", async () => {
    const s = await sink({ parse: false });
    const c = createSmtpChannel({ ...plain, port: s.port, maxConnections: 2 });
    const sends = Array.from({ length: 5 }, async (_, i) =>
      c.send(envelope(), await raw("ase@example.com", i)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await c.close();
    const outcomes = await Promise.all(sends);
    expect(outcomes.map((o) => o.kind)).toEqual(
      outcomes.map(() => expect.stringMatching(/accepted|temporary/)),
    );
    expect(s.messages).toHaveLength(outcomes.filter((o) => o.kind === "accepted").length);
  });
});

describe("SMTP sessions", () => {
  it("says QUIT on every pooled connection a moment after the last message", async () => {
    const s = await sink({ parse: false });
    const c = createSmtpChannel({ ...plain, port: s.port, maxConnections: 2, idleCloseMs: 200 });
    cleanup.push(() => c.close());
    const messages = await Promise.all(Array.from({ length: 6 }, (_, i) => raw(`p${i}@example.com`, i)));
    await Promise.all(messages.map((m, i) => c.send(envelope(`p${i}@example.com`), m)));

    const sessions = await s.waitForClosed(3000);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    expect(sessions.every((x) => x.quit)).toBe(true);
  });

  it("says QUIT on every connection when closed, after the sends in flight", async () => {
    const s = await sink({ parse: false });
    const c = createSmtpChannel({ ...plain, port: s.port, maxConnections: 3 });
    const messages = await Promise.all(Array.from({ length: 9 }, (_, i) => raw(`p${i}@example.com`, i)));
    const sends = messages.map((m, i) => c.send(envelope(`p${i}@example.com`), m));
    await c.close();

    expect((await Promise.all(sends)).every((o) => o.kind === "accepted")).toBe(true);
    const sessions = await s.waitForClosed(3000);
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions.map((x) => x.quit)).toEqual(sessions.map(() => true));
  });

  it("greets with the account's EHLO name", async () => {
    const s = await sink();
    const c = channel(s.port);
    await c.send(envelope(), await raw());
    await c.close();
    expect(s.sessions[0]?.ehloName).toBe("utsend.test.example");
  });

  it("refuses to send in clear text when STARTTLS is required and not offered: a connection failure", async () => {
    const s = await sink();
    const c = createSmtpChannel({ ...plain, port: s.port, maxConnections: 1, tlsMode: "starttls-required" });
    cleanup.push(() => c.close());
    const outcome = await c.send(envelope(), await raw());

    expect(outcome).toMatchObject({ kind: "temporary", code: null, status: null });
    expect(outcome.kind === "temporary" && outcome.reply).toMatch(/STARTTLS/);
    expect(s.messages).toHaveLength(0);
  });

  it("upgrades with STARTTLS and trusts a self-signed server only with its certificate as the account's CA", async () => {
    const cert = selfSignedCertificate("localhost");
    const s = await sink({ tls: { cert: cert.pem, key: pemKey(cert) } });
    const account = { ...plain, host: "localhost", port: s.port, maxConnections: 1 };
    const untrusting = createSmtpChannel({ ...account, tlsMode: "starttls-required" });
    cleanup.push(() => untrusting.close());
    const refused = await untrusting.send(envelope(), await raw());
    expect(refused).toMatchObject({ kind: "temporary", code: null });
    expect(refused.kind === "temporary" && refused.reply).toMatch(/certificate/i);
    expect(s.messages).toHaveLength(0);

    const trusting = createSmtpChannel({ ...account, tlsMode: "starttls-required", caCertificate: cert.pem });
    cleanup.push(() => trusting.close());
    expect((await trusting.send(envelope(), await raw())).kind).toBe("accepted");
    expect(s.sessions.at(-1)).toMatchObject({ secure: true });
  });

  it("tests a connection without sending: TLS version, certificate, extensions, then QUIT", async () => {
    const cert = selfSignedCertificate("localhost");
    const s = await sink({ tls: { cert: cert.pem, key: pemKey(cert) } });
    const report = await testSmtpConnection({
      ...plain,
      host: "localhost",
      port: s.port,
      maxConnections: 1,
      tlsMode: "starttls-required",
      caCertificate: cert.pem,
    });

    expect(report.tls?.version).toMatch(/^TLSv1\.[23]$/);
    expect(report.tls?.certificate?.subject).toBe("CN=localhost");
    expect(Date.parse(report.tls?.certificate?.validTo ?? "")).toBeGreaterThan(Date.now());
    expect(report.extensions).toEqual(expect.arrayContaining(["PIPELINING", "8BITMIME"]));
    expect(report.extensions.some((e) => e.startsWith("STARTTLS"))).toBe(false);
    const [session] = await s.waitForClosed(3000);
    expect(session).toMatchObject({ quit: true, secure: true, ehloName: "utsend.test.example" });
    expect(s.messages).toHaveLength(0);
  });

  it("tells which stage a test connection failed at", async () => {
    const s = await sink();
    await expect(
      testSmtpConnection({ ...plain, port: s.port, maxConnections: 1, tlsMode: "starttls-required" }),
    ).rejects.toMatchObject({ name: "SmtpConnectionError", stage: "tls" });
  });
});

function pemKey(cert: TestCertificate): string {
  return cert.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}
