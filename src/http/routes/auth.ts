// Sign-in (/auth/login), the session (/api/auth/*), users (admin) and API keys.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import { hasRight, type Right, ROLES } from "../../auth/rights.ts";
import {
  changeOwnPassword,
  createApiKey,
  createSession,
  createUser,
  deleteApiKey,
  endSession,
  getUser,
  listApiKeys,
  listUsers,
  type User,
  updateUser,
  verifyLogin,
} from "../../auth/users.ts";
import type { Db } from "../../db/connect.ts";
import { AppError } from "../../shared/errors.ts";
import { audit } from "../audit.ts";
import { caller, SESSION_COOKIE } from "../auth.ts";
import { errorResponses, IdParams, literals, NoContent, type RouteDeps } from "../schemas.ts";

const RIGHTS: Right[] = ["read", "write", "export", "send", "overrideConsent", "manageSettings", "erase"];
const UserSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: literals(ROLES),
  canOverrideConsent: Type.Boolean(),
  canErase: Type.Boolean(),
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
        let user: User;
        try {
          user = await verifyLogin(db, request.body.email, request.body.password);
        } catch (error) {
          // The address tried is kept (it tells a guessing attack apart from a typo), never the password.
          if (error instanceof AppError && error.code === "LOGIN_FAILED")
            await audit(db, request, {
              action: "sign-in.failed",
              detail: { email: request.body.email.trim().toLowerCase().slice(0, 254) },
            });
          throw error;
        }
        await audit(db, request, {
          actor: { kind: "user", userId: user.id, email: user.email },
          action: "sign-in.succeeded",
          target: { type: "user", id: user.id },
        });
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
        const updated = await updateUser(db, id, rest);
        if (password !== undefined)
          await audit(db, request, {
            action: "user.changed",
            target: { type: "user", id },
            detail: { fields: ["password"], own: true },
          });
        return updated;
      },
    );

    const UserInput = Type.Object(
      {
        email: Type.String({ minLength: 3, maxLength: 254 }),
        name: Type.String({ minLength: 1, maxLength: 200 }),
        role: literals(ROLES),
        password: Type.String({ minLength: 1, maxLength: 200 }),
        canOverrideConsent: Type.Optional(Type.Boolean()),
        canErase: Type.Optional(Type.Boolean()),
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
      async (request, reply) => {
        const created = await createUser(db, request.body);
        await audit(db, request, {
          action: "user.created",
          target: { type: "user", id: created.id },
          detail: {
            email: created.email,
            role: created.role,
            canOverrideConsent: created.canOverrideConsent,
          },
        });
        return reply.status(201).send(created);
      },
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
                canErase: Type.Boolean(),
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
      async (request) => {
        const before = await getUser(db, request.params.id);
        const after = await updateUser(db, request.params.id, request.body);
        await auditUserChange(db, request, before, after, request.body.password !== undefined);
        return after;
      },
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
      async (request, reply) => {
        const created = await createApiKey(db, caller(request).user.id, request.body.name);
        await audit(db, request, {
          action: "api-key.created",
          target: { type: "api-key", id: created.id },
          detail: { name: request.body.name.trim(), prefix: created.prefix },
        });
        return reply.status(201).send(created);
      },
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
        const userId = caller(request).user.id;
        const key = (await listApiKeys(db, userId)).find((k) => k.id === request.params.id);
        await deleteApiKey(db, userId, request.params.id);
        await audit(db, request, {
          action: "api-key.revoked",
          target: { type: "api-key", id: request.params.id },
          ...(key ? { detail: { name: key.name, prefix: key.prefix } } : {}),
        });
        return reply.status(204).send(null);
      },
    );
  };

/** A user's role and rights are audited each as their own action; other fields (name, language, disabled, a password
 * an admin set) together as one change, by name only. */
async function auditUserChange(
  db: Db,
  request: FastifyRequest,
  before: User,
  after: User,
  passwordSet: boolean,
): Promise<void> {
  const target = { type: "user" as const, id: after.id };
  if (before.role !== after.role)
    await audit(db, request, {
      action: "user.role-changed",
      target,
      detail: { email: after.email, from: before.role, to: after.role },
    });
  if (before.canOverrideConsent !== after.canOverrideConsent)
    await audit(db, request, {
      action: "user.rights-changed",
      target,
      detail: {
        email: after.email,
        right: "overrideConsent",
        from: before.canOverrideConsent,
        to: after.canOverrideConsent,
      },
    });
  if (before.canErase !== after.canErase)
    await audit(db, request, {
      action: "user.rights-changed",
      target,
      detail: { email: after.email, right: "erase", from: before.canErase, to: after.canErase },
    });
  const fields = (["name", "language", "disabled"] as const).filter((f) => before[f] !== after[f]);
  const changes = passwordSet ? [...fields, "password"] : fields;
  if (changes.length > 0)
    await audit(db, request, {
      action: "user.changed",
      target,
      detail: {
        email: after.email,
        fields: changes,
        ...(before.disabled !== after.disabled ? { disabled: after.disabled } : {}),
      },
    });
}
