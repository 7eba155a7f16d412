// Sign-in (/auth/login), the session (/api/auth/*), users (admin) and API keys.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { hasRight, type Right, ROLES } from "../../auth/rights.ts";
import {
  changeOwnPassword,
  createApiKey,
  createSession,
  createUser,
  deleteApiKey,
  endSession,
  listApiKeys,
  listUsers,
  type User,
  updateUser,
  verifyLogin,
} from "../../auth/users.ts";
import { caller, SESSION_COOKIE } from "../auth.ts";
import { errorResponses, IdParams, literals, NoContent, type RouteDeps } from "../schemas.ts";

const RIGHTS: Right[] = ["read", "write", "export", "send", "overrideConsent", "manageSettings"];
const UserSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: literals(ROLES),
  canOverrideConsent: Type.Boolean(),
  disabled: Type.Boolean(),
  language: Type.String(),
  createdAt: Type.String(),
});
const strict = { additionalProperties: false };

export const authRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db, config } = deps;

    app.post(
      "/auth/login",
      {
        config: {
          access: "public",
          rateLimit: { max: config.loginAttemptsPerMinute, timeWindow: 60_000 },
        },
        schema: {
          tags: ["auth"],
          summary: "Sign in; sets the httpOnly session cookie and returns the CSRF token for writes",
          security: [],
          body: Type.Object(
            {
              email: Type.String({ minLength: 1, maxLength: 254 }),
              password: Type.String({ minLength: 1, maxLength: 200 }),
            },
            strict,
          ),
          response: { 200: Type.Object({ user: UserSchema, csrfToken: Type.String() }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const user = await verifyLogin(db, request.body.email, request.body.password);
        const session = await createSession(db, user.id, config.sessionHours);
        reply.setCookie(SESSION_COOKIE, session.token, {
          path: "/",
          httpOnly: true,
          sameSite: "lax",
          secure: config.secureCookies,
          expires: new Date(session.expiresAt),
        });
        return { user, csrfToken: session.csrfToken };
      },
    );

    app.post(
      "/api/auth/logout",
      {
        config: { access: "read" },
        schema: { tags: ["auth"], summary: "Sign out", response: { 204: NoContent } },
      },
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) await endSession(db, token);
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return reply.status(204).send(null);
      },
    );

    app.get(
      "/api/auth/me",
      {
        schema: {
          tags: ["auth"],
          summary: "The signed-in user, their rights and the CSRF token",
          response: {
            200: Type.Object({
              user: UserSchema,
              csrfToken: Type.Union([Type.String(), Type.Null()]),
              rights: Type.Array(Type.String()),
            }),
          },
        },
      },
      async (request) => {
        const auth = caller(request);
        return {
          user: auth.user,
          csrfToken: auth.csrfToken,
          rights: RIGHTS.filter((r) => hasRight(auth.actor, r)),
        };
      },
    );

    app.patch(
      "/api/auth/me",
      {
        config: { access: "read" },
        schema: {
          tags: ["auth"],
          summary:
            "Change your own language or password; a new password needs the current one and ends your other sessions",
          body: Type.Object(
            {
              language: Type.Optional(literals(["nb", "en"] as const)),
              password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            },
            strict,
          ),
          response: { 200: UserSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { password, currentPassword, ...rest } = request.body;
        const id = caller(request).user.id;
        if (password !== undefined)
          await changeOwnPassword(db, id, {
            current: currentPassword,
            next: password,
            keepSession: caller(request).via === "session" ? (request.cookies[SESSION_COOKIE] ?? null) : null,
          });
        return updateUser(db, id, rest);
      },
    );

    const UserInput = Type.Object(
      {
        email: Type.String({ minLength: 3, maxLength: 254 }),
        name: Type.String({ minLength: 1, maxLength: 200 }),
        role: literals(ROLES),
        password: Type.String({ minLength: 1, maxLength: 200 }),
        canOverrideConsent: Type.Optional(Type.Boolean()),
        language: Type.Optional(literals(["nb", "en"] as const)),
      },
      strict,
    );
    app.get(
      "/api/users",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["users"],
          summary: "Users (admin)",
          response: { 200: Type.Object({ items: Type.Array(UserSchema) }) },
        },
      },
      async () => ({ items: await listUsers(db) }),
    );
    app.post(
      "/api/users",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["users"],
          summary: "Create a user (admin)",
          body: UserInput,
          response: { 201: UserSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send((await createUser(db, request.body)) satisfies User),
    );
    app.patch(
      "/api/users/:id",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["users"],
          summary:
            "Change a user's role, rights, name or password, or disable them (admin); a new password or disabling ends the user's sessions",
          params: IdParams,
          body: Type.Partial(
            Type.Object(
              {
                name: Type.String({ minLength: 1, maxLength: 200 }),
                role: literals(ROLES),
                password: Type.String({ minLength: 1, maxLength: 200 }),
                canOverrideConsent: Type.Boolean(),
                disabled: Type.Boolean(),
                language: literals(["nb", "en"] as const),
              },
              strict,
            ),
            strict,
          ),
          response: { 200: UserSchema, ...errorResponses },
        },
      },
      async (request) => updateUser(db, request.params.id, request.body),
    );

    app.get(
      "/api/api-keys",
      {
        config: { access: "read" },
        schema: { tags: ["auth"], summary: "Your API keys (only their prefixes)" },
      },
      async (request) => ({ items: await listApiKeys(db, caller(request).user.id) }),
    );
    app.post(
      "/api/api-keys",
      {
        config: { access: "read" },
        schema: {
          tags: ["auth"],
          summary: "Create an API key for yourself; the key is shown only in this response",
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, strict),
          response: {
            201: Type.Object({ id: Type.Integer(), key: Type.String(), prefix: Type.String() }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await createApiKey(db, caller(request).user.id, request.body.name)),
    );
    app.delete(
      "/api/api-keys/:id",
      {
        config: { access: "read" },
        schema: {
          tags: ["auth"],
          summary: "Revoke one of your API keys",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteApiKey(db, caller(request).user.id, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
