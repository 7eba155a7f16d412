import { describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../../../../test/helpers/x509.ts";
import {
  caCertificateProblem,
  defaultTlsMode,
  ehloNameFor,
  ehloNameProblem,
  isLoopbackHost,
  parseCaCertificate,
  tlsModeProblem,
} from "./smtp-settings.ts";

describe("EHLO name", () => {
  it("accepts a fully qualified host name", () => {
    expect(ehloNameProblem("mail.fjordlys.no")).toBeNull();
    expect(ehloNameProblem("utsend-1.example.com")).toBeNull();
  });

  it("refuses addresses, single labels, numeric top labels and bad characters", () => {
    for (const name of [
      "192.0.2.10",
      "[192.0.2.10]",
      "::1",
      "mailhost",
      "mail.example.123",
      "mail_1.example.no",
      "-x.example.no",
    ])
      expect(ehloNameProblem(name), name).not.toBeNull();
  });

  it("is the account's own when set, else the public URL's host", () => {
    expect(
      ehloNameFor({ host: "smtp.example.net", ehloName: "mx.fjordlys.no" }, "https://utsend.fjordlys.no"),
    ).toEqual({
      ok: true,
      name: "mx.fjordlys.no",
      source: "account",
    });
    expect(
      ehloNameFor({ host: "smtp.example.net", ehloName: null }, "https://utsend.fjordlys.no:8443/app"),
    ).toEqual({
      ok: true,
      name: "utsend.fjordlys.no",
      source: "public-url",
    });
  });

  it("gives an address literal or localhost only to a loopback relay", () => {
    expect(ehloNameFor({ host: "127.0.0.1", ehloName: null }, "http://192.0.2.7:3000")).toMatchObject({
      ok: true,
      name: "[192.0.2.7]",
    });
    expect(ehloNameFor({ host: "localhost", ehloName: null }, "http://localhost:3000")).toMatchObject({
      ok: true,
      name: "localhost",
    });
  });

  it("is a problem when the derived name is an address or localhost and the server is not a loopback relay", () => {
    for (const publicUrl of ["http://192.0.2.7:3000", "http://localhost:3000"]) {
      const ehlo = ehloNameFor({ host: "smtp.example.net", ehloName: null }, publicUrl);
      expect(ehlo.ok).toBe(false);
      expect(!ehlo.ok && ehlo.problem).toMatch(/EHLO name/);
    }
  });
});

describe("TLS mode", () => {
  it("knows loopback hosts", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "relay.localhost"])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["smtp.example.net", "10.0.0.1", "128.0.0.1", "localhost.example.net", null])
      expect(isLoopbackHost(host), String(host)).toBe(false);
  });

  it("defaults to STARTTLS required, implicit TLS on 465, and opportunistic toward a loopback relay", () => {
    expect(defaultTlsMode("smtp.example.net", 587)).toBe("starttls-required");
    expect(defaultTlsMode("smtp.example.net", 25)).toBe("starttls-required");
    expect(defaultTlsMode("smtp.example.net", 465)).toBe("implicit");
    expect(defaultTlsMode("127.0.0.1", 25)).toBe("starttls-opportunistic");
  });

  it("allows clear text only toward a loopback relay", () => {
    expect(tlsModeProblem("none", "127.0.0.1")).toBeNull();
    expect(tlsModeProblem("none", "localhost")).toBeNull();
    expect(tlsModeProblem("none", "smtp.example.net")).toMatch(/loopback/);
    expect(tlsModeProblem("starttls-required", "smtp.example.net")).toBeNull();
    expect(tlsModeProblem("implicit", "smtp.example.net")).toBeNull();
    expect(tlsModeProblem("tls", "smtp.example.net")).toMatch(/must be one of/);
  });
});

describe("CA certificate", () => {
  it("reads a PEM certificate's subject and expiry", () => {
    const cert = selfSignedCertificate("ca.fjordlys.no");
    const info = parseCaCertificate(cert.pem);
    expect(info.subject).toBe("CN=ca.fjordlys.no");
    expect(Date.parse(info.validTo)).toBeGreaterThan(Date.now());
    expect(caCertificateProblem(cert.pem)).toBeNull();
  });

  it("refuses what is not a certificate", () => {
    expect(caCertificateProblem("hello")).toMatch(/not a PEM certificate/);
    expect(caCertificateProblem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toMatch(
      /not a readable certificate/,
    );
  });
});
