// Who may call a route is a property of the route: its `access` (public, or the right a signed-in caller needs) is set
// when it is registered, and the request hook reads it from the route that matched — never from the URL text, which
// the router decodes differently. A route that has no `access` is refused, so a new route is never public by accident.
import { timingSafeEqual } from "node:crypto";
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyRequest,
  RawServerDefault,
  RouteOptions,
} from "fastify";
import { hasRight, type Right } from "../auth/rights.ts";
import { type Authenticated, apiKeyUser, sessionUser } from "../auth/users.ts";
import type { Db } from "../db/connect.ts";
import { AppError } from "../shared/errors.ts";

export const SESSION_COOKIE = "utsend_session";

/** "public": no sign-in; a right: a signed-in caller (session or API key) whose role grants it. */
export type Access = "public" | Right;

declare module "fastify" {
  interface FastifyRequest {
    auth: Authenticated | null;
  }
  interface FastifyContextConfig {
    /**
     * Who may call the route. A route may say it itself; otherwise the scope it is registered in (`signedIn`,
     * `openToAll`) fills it in. Without it the route is refused.
     */
    access?: Access;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// biome-ignore lint/suspicious/noExplicitAny: a scope wraps route plugins of any options and type provider.
type RoutePlugin = FastifyPluginAsync<any, RawServerDefault, any>;

function withDefaultAccess(
  defaultFor: (methods: string[]) => Access,
  plugin: RoutePlugin,
): FastifyPluginAsync {
  return async (scope) => {
    scope.addHook("onRoute", (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      route.config = { ...route.config, access: route.config?.access ?? defaultFor(methods) };
    });
    await scope.register(plugin);
  };
}

/** Routes for signed-in callers: a route's own `access` names its right, else read for GET and write for others. */
export function signedIn(plugin: RoutePlugin): FastifyPluginAsync {
  return withDefaultAccess(
    (methods) => (methods.every((m) => SAFE_METHODS.has(m)) ? "read" : "write"),
    plugin,
  );
}

/** Routes anyone may call (recipients' pages, tracking, provider webhooks, the web UI's files). */
export function openToAll(plugin: RoutePlugin): FastifyPluginAsync {
  return withDefaultAccess(() => "public", plugin);
}

export function installAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest("auth", null);
  app.addHook("onRequest", async (request: FastifyRequest) => {
    // The not-found handler serves nothing to protect.
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === undefined)
      throw new AppError("FORBIDDEN", "This route declares no access rule and is refused", {
        route: request.routeOptions.url,
      });
    if (access === "public") return;
    const auth = await authenticate(db, request);
    if (!auth)
      throw new AppError("UNAUTHENTICATED", "Sign in or send an API key (Authorization: Bearer us_…)");
    if (auth.via === "session" && !SAFE_METHODS.has(request.method)) {
      const header = request.headers["x-csrf-token"];
      if (typeof header !== "string" || !auth.csrfToken || !sameToken(header, auth.csrfToken))
        throw new AppError(
          "CSRF_FAILED",
          "Missing or wrong x-csrf-token header for a cookie-authenticated write",
        );
    }
    if (!hasRight(auth.actor, access))
      throw new AppError("FORBIDDEN", `Your role (${auth.user.role}) does not allow this (needs ${access})`, {
        right: access,
      });
    request.auth = auth;
  });
}

async function authenticate(db: Db, request: FastifyRequest): Promise<Authenticated | null> {
  const header = request.headers.authorization;
  if (header?.startsWith("Bearer ")) return apiKeyUser(db, header.slice("Bearer ".length).trim());
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) return sessionUser(db, cookie);
  return null;
}

/** The signed-in caller; routes that are not public always have one. */
export function caller(request: FastifyRequest): Authenticated {
  if (!request.auth) throw new AppError("UNAUTHENTICATED", "Not signed in");
  return request.auth;
}
