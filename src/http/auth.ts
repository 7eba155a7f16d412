// Who is asking: session cookie or API key on every /api route (except GET /api/health), CSRF on cookie writes, rights.
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasRight, type Right } from "../auth/rights.ts";
import { type Authenticated, apiKeyUser, sessionUser } from "../auth/users.ts";
import type { Db } from "../db/connect.ts";
import { AppError } from "../shared/errors.ts";

export const SESSION_COOKIE = "utsend_session";

declare module "fastify" {
  interface FastifyRequest {
    auth: Authenticated | null;
  }
  interface FastifyContextConfig {
    /** The right a route needs; GET routes default to read, other methods to write. */
    right?: Right;
    /** Routes reachable without signing in. */
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function installAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest("auth", null);
  app.addHook("onRequest", async (request: FastifyRequest, _reply: FastifyReply) => {
    const path = request.url.split("?")[0] ?? "";
    if (!path.startsWith("/api/") && path !== "/api") return;
    if (request.routeOptions.config?.public) return;
    request.auth = await authenticate(db, request);
    if (!request.auth)
      throw new AppError("UNAUTHENTICATED", "Sign in or send an API key (Authorization: Bearer us_…)");
    if (request.auth.via === "session" && !SAFE_METHODS.has(request.method)) {
      const header = request.headers["x-csrf-token"];
      if (typeof header !== "string" || !request.auth.csrfToken || !sameToken(header, request.auth.csrfToken))
        throw new AppError(
          "CSRF_FAILED",
          "Missing or wrong x-csrf-token header for a cookie-authenticated write",
        );
    }
  });
  app.addHook("preHandler", async (request) => {
    if (!request.auth) return;
    const right = request.routeOptions.config?.right ?? (SAFE_METHODS.has(request.method) ? "read" : "write");
    if (!hasRight(request.auth.actor, right))
      throw new AppError(
        "FORBIDDEN",
        `Your role (${request.auth.user.role}) does not allow this (needs ${right})`,
        {
          right,
        },
      );
  });
}

async function authenticate(db: Db, request: FastifyRequest): Promise<Authenticated | null> {
  const header = request.headers.authorization;
  if (header?.startsWith("Bearer ")) return apiKeyUser(db, header.slice("Bearer ".length).trim());
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) return sessionUser(db, cookie);
  return null;
}

/** The signed-in caller; routes behind the auth hook always have one. */
export function caller(request: FastifyRequest): Authenticated {
  if (!request.auth) throw new AppError("UNAUTHENTICATED", "Not signed in");
  return request.auth;
}
