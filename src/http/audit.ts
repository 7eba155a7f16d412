// Records an audit entry for the request: the caller (session user or API key) and where the request came from.
import type { FastifyRequest } from "fastify";
import type { AuditActor, AuditEntryInput } from "../audit/log.ts";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connect.ts";

export function requestActor(request: FastifyRequest): AuditActor {
  const auth = request.auth;
  if (!auth) return { kind: "anonymous" };
  if (auth.via === "apiKey")
    return { kind: "apiKey", userId: auth.user.id, email: auth.user.email, keyName: auth.apiKeyName ?? "" };
  return { kind: "user", userId: auth.user.id, email: auth.user.email };
}

/** `request.ip` follows the server's trustProxy setting (off: the peer's address, never a forwarded header). */
export function audit(
  db: Db,
  request: FastifyRequest,
  entry: Omit<AuditEntryInput, "actor" | "origin"> & { actor?: AuditActor },
): Promise<void> {
  const userAgent = request.headers["user-agent"];
  return recordAudit(db, {
    ...entry,
    actor: entry.actor ?? requestActor(request),
    origin: { ip: request.ip ?? null, userAgent: typeof userAgent === "string" ? userAgent : null },
  });
}
