// The rules for how utsend introduces itself to an SMTP server and protects the session: the EHLO name, the TLS
// mode, and the CA certificate an account may trust. Pure: the account form, the API and the send path all ask here.
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";

/**
 * - `starttls-required`: plain connect, then STARTTLS or nothing is sent (the default toward any non-loopback host).
 * - `starttls-opportunistic`: STARTTLS when the server offers it, plain text when it does not.
 * - `implicit`: TLS from the first byte (port 465, RFC 8314).
 * - `none`: never TLS; only toward a loopback relay (a local Postfix that relays onward itself).
 */
export const TLS_MODES = ["starttls-required", "starttls-opportunistic", "implicit", "none"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** The oldest TLS version utsend speaks (RFC 8996 deprecates 1.0 and 1.1). */
export const MIN_TLS_VERSION = "TLSv1.2";

/** localhost, *.localhost, 127.0.0.0/8 and ::1: a relay on this machine, where plain text never leaves it. */
export function isLoopbackHost(host: string | null | undefined): boolean {
  if (!host) return false;
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1";
}

/** The mode an account gets when none is chosen: the strict one, except toward a loopback relay. */
export function defaultTlsMode(host: string | null | undefined, port: number | null | undefined): TlsMode {
  if (port === 465) return "implicit";
  return isLoopbackHost(host) ? "starttls-opportunistic" : "starttls-required";
}

/** Why a TLS mode cannot be used toward this host, or null. */
export function tlsModeProblem(mode: string, host: string | null | undefined): string | null {
  if (!(TLS_MODES as readonly string[]).includes(mode)) return `must be one of ${TLS_MODES.join(", ")}`;
  if (mode === "none" && !isLoopbackHost(host))
    return `"none" sends in clear text and is allowed only toward a loopback relay (localhost, 127.0.0.1, ::1), not ${host ?? "this host"}`;
  return null;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A fully qualified host name: at least two labels of letters, digits and hyphens, a top label not all digits. */
export function isFullyQualifiedHostName(name: string): boolean {
  if (name.length > 253 || isIP(name) !== 0) return false;
  const labels = name.replace(/\.$/, "").split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return !/^\d+$/.test(labels[labels.length - 1]!);
}

/** Why an EHLO name someone typed cannot be used, or null. */
export function ehloNameProblem(name: string): string | null {
  if (isIP(name.replace(/^\[|\]$/g, "")) !== 0)
    return "must be a host name, not an address (the default is the host of the public URL)";
  if (!isFullyQualifiedHostName(name))
    return "must be a fully qualified host name, such as mail.example.no, whose address points back to it (PTR)";
  return null;
}

/** The host of the public URL, or null when it has none. */
export function publicUrlHost(publicUrl: string): string | null {
  try {
    return new URL(publicUrl).hostname.replace(/^\[|\]$/g, "").toLowerCase() || null;
  } catch {
    return null;
  }
}

export type EhloName =
  | { ok: true; name: string; source: "account" | "public-url" }
  | { ok: false; problem: string };

/**
 * The name utsend gives in EHLO toward this account's server: the account's own, else the public URL's host. An
 * address or `localhost` is sent only to a loopback relay (as an address literal, RFC 5321 §4.1.3); toward
 * anything else it is refused, since receivers reject or score down such a greeting.
 */
export function ehloNameFor(
  account: { host: string | null; ehloName: string | null },
  publicUrl: string,
): EhloName {
  if (account.ehloName) return { ok: true, name: account.ehloName, source: "account" };
  const host = publicUrlHost(publicUrl);
  if (host && isFullyQualifiedHostName(host)) return { ok: true, name: host, source: "public-url" };
  if (isLoopbackHost(account.host)) {
    const name =
      !host || host === "localhost" ? "localhost" : isIP(host) === 4 ? `[${host}]` : `[IPv6:${host}]`;
    return { ok: true, name, source: "public-url" };
  }
  return {
    ok: false,
    problem: `no EHLO name: the public URL's host (${host ?? publicUrl}) is not a fully qualified host name, and ${account.host} is not a loopback relay; set the account's EHLO name to a name whose A/AAAA and PTR records match the sending address`,
  };
}

export type CaCertificate = { subject: string; validTo: string };

/** Reads a PEM CA certificate; throws with a readable message when it is not one. */
export function parseCaCertificate(pem: string): CaCertificate {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error("is not a PEM certificate");
  try {
    const cert = new X509Certificate(pem);
    return { subject: cert.subject.replace(/\n/g, ", "), validTo: new Date(cert.validTo).toISOString() };
  } catch (error) {
    throw new Error(`is not a readable certificate: ${(error as Error).message}`);
  }
}

export function caCertificateProblem(pem: string): string | null {
  try {
    parseCaCertificate(pem);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
