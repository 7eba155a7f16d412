// Users, passwords (argon2id), sessions and API keys.
import { hash, verify } from "@node-rs/argon2";
import type { Db } from "../db/connect.ts";
import { isValidEmail } from "../persons/person-rules.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, conflict, type FieldProblem, invalid, notFound } from "../shared/errors.ts";
import { randomToken, sha256Hex } from "../shared/ids.ts";
import { type Actor, ROLES, type Role } from "./rights.ts";

// @node-rs/argon2's Algorithm is a const enum, which type stripping cannot inline: 2 is Argon2id.
const ARGON2ID = 2;
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export type User = {
  id: number;
  email: string;
  name: string;
  role: Role;
  canOverrideConsent: boolean;
  canErase: boolean;
  disabled: boolean;
  language: string;
  createdAt: string;
};

export type UserInput = {
  email: string;
  name: string;
  role: Role;
  password: string;
  canOverrideConsent?: boolean;
  canErase?: boolean;
  language?: string;
};

function toUser(row: {
  id: number;
  email: string;
  name: string;
  role: Role;
  can_override_consent: number;
  can_erase: number;
  disabled: number;
  language: string;
  created_at: string;
}): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    canOverrideConsent: row.can_override_consent === 1,
    canErase: row.can_erase === 1,
    disabled: row.disabled === 1,
    language: row.language,
    createdAt: row.created_at,
  };
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export function checkPasswordStrength(password: string, problems: FieldProblem[]): void {
  if (password.length < 10)
    problems.push({
      field: "password",
      message: "must be at least 10 characters",
      kind: "minLength",
      params: { limit: 10 },
    });
  if (password.length > 200)
    problems.push({
      field: "password",
      message: "must be at most 200 characters",
      kind: "maxLength",
      params: { limit: 200 },
    });
}

export async function createUser(db: Db, input: UserInput): Promise<User> {
  const problems: FieldProblem[] = [];
  const email = input.email.trim().toLowerCase();
  if (!isValidEmail(email))
    problems.push({
      field: "email",
      message: `"${input.email}" is not a valid e-mail address`,
      kind: "format",
      params: { format: "email" },
    });
  if (!input.name.trim()) problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  if (!ROLES.includes(input.role))
    problems.push({
      field: "role",
      message: `must be one of ${ROLES.join(", ")}`,
      kind: "enum",
      params: { values: ROLES.join(", ") },
    });
  checkPasswordStrength(input.password, problems);
  if (problems.length > 0) throw invalid(problems);
  const exists = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
  if (exists) throw conflict("email", `a user with e-mail ${email} exists`);
  const row = await db
    .insertInto("users")
    .values({
      email,
      name: input.name.trim(),
      role: input.role,
      password_hash: await hashPassword(input.password),
      can_override_consent: input.canOverrideConsent ? 1 : 0,
      can_erase: input.canErase ? 1 : 0,
      disabled: 0,
      language: input.language ?? "nb",
      created_at: isoNow(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom("users").selectAll().orderBy("name").execute();
  return rows.map(toUser);
}

export async function getUser(db: Db, id: number): Promise<User> {
  const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound("user", id);
  return toUser(row);
}

export async function updateUser(
  db: Db,
  id: number,
  input: {
    name?: string;
    role?: Role;
    canOverrideConsent?: boolean;
    canErase?: boolean;
    disabled?: boolean;
    language?: string;
    password?: string;
  },
): Promise<User> {
  await getUser(db, id);
  const problems: FieldProblem[] = [];
  if (input.password !== undefined) checkPasswordStrength(input.password, problems);
  if (input.name !== undefined && !input.name.trim())
    problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  if (problems.length > 0) throw invalid(problems);
  const changes = {
    ...(input.name !== undefined ? { name: input.name.trim() } : {}),
    ...(input.role !== undefined ? { role: input.role } : {}),
    ...(input.canOverrideConsent !== undefined
      ? { can_override_consent: input.canOverrideConsent ? 1 : 0 }
      : {}),
    ...(input.canErase !== undefined ? { can_erase: input.canErase ? 1 : 0 } : {}),
    ...(input.disabled !== undefined ? { disabled: input.disabled ? 1 : 0 } : {}),
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.password !== undefined ? { password_hash: await hashPassword(input.password) } : {}),
  };
  // An empty change (a password change routed elsewhere, say) would be an UPDATE without SET, which SQL refuses.
  if (Object.keys(changes).length > 0)
    await db.updateTable("users").set(changes).where("id", "=", id).execute();
  // A disabled user, or one whose password an admin reset, is signed out everywhere.
  if (input.disabled || input.password !== undefined)
    await db.deleteFrom("sessions").where("user_id", "=", id).execute();
  return getUser(db, id);
}

/**
 * A user changes their own password: only with the current one, and every other session of theirs ends (a stolen
 * session must not outlive the change). `keepSession` is the caller's own session token, if they used one.
 */
export async function changeOwnPassword(
  db: Db,
  id: number,
  input: { current: string | undefined; next: string; keepSession: string | null },
): Promise<void> {
  const problems: FieldProblem[] = [];
  if (input.current === undefined)
    problems.push({
      field: "currentPassword",
      message: "is required to change the password",
      kind: "required",
    });
  checkPasswordStrength(input.next, problems);
  if (problems.length > 0) throw invalid(problems);
  const row = await db.selectFrom("users").select("password_hash").where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound("user", id);
  const ok = await verify(row.password_hash, input.current ?? "").catch(() => false);
  if (!ok)
    throw new AppError("CURRENT_PASSWORD_WRONG", "currentPassword: the current password is wrong", {
      field: "currentPassword",
    });
  await db
    .updateTable("users")
    .set({ password_hash: await hashPassword(input.next) })
    .where("id", "=", id)
    .execute();
  let others = db.deleteFrom("sessions").where("user_id", "=", id);
  if (input.keepSession) others = others.where("id_hash", "!=", sha256Hex(input.keepSession));
  await others.execute();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// A fixed hash to verify against when the user does not exist, so timing does not reveal which e-mails are users.
let dummyHash: Promise<string> | undefined;

export async function verifyLogin(db: Db, email: string, password: string): Promise<User> {
  const row = await db
    .selectFrom("users")
    .selectAll()
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  dummyHash ??= hashPassword("not-a-real-password-0000");
  const ok = await verify(row?.password_hash ?? (await dummyHash), password).catch(() => false);
  if (!row || !ok || row.disabled === 1)
    throw new AppError("LOGIN_FAILED", "wrong e-mail address or password");
  return toUser(row);
}

export type Session = { token: string; csrfToken: string; expiresAt: string };

export async function createSession(db: Db, userId: number, hours: number): Promise<Session> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + hours * 3600_000).toISOString();
  await db
    .insertInto("sessions")
    .values({
      id_hash: sha256Hex(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt,
    })
    .execute();
  return { token, csrfToken, expiresAt };
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom("sessions").where("id_hash", "=", sha256Hex(token)).execute();
}

export type Authenticated = {
  user: User;
  actor: Actor;
  via: "session" | "apiKey";
  csrfToken: string | null;
  /** The key's name when the caller used an API key (the audit log names it). */
  apiKeyName?: string;
};

export async function sessionUser(db: Db, token: string): Promise<Authenticated | null> {
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .selectAll("u")
    .select(["s.csrf_token", "s.expires_at"])
    .where("s.id_hash", "=", sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.disabled === 1 || row.expires_at < isoNow()) return null;
  const user = toUser(row);
  return { user, actor: actorOf(user), via: "session", csrfToken: row.csrf_token };
}

export function actorOf(user: User): Actor {
  return {
    userId: user.id,
    role: user.role,
    canOverrideConsent: user.canOverrideConsent,
    canErase: user.canErase,
  };
}

const API_KEY = /^us_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{20,})$/;

/** Creates an API key; the secret is returned once and only its hash is stored. */
export async function createApiKey(
  db: Db,
  userId: number,
  name: string,
): Promise<{ id: number; key: string; prefix: string }> {
  if (!name.trim()) throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  await getUser(db, userId);
  const prefix = randomToken(12)
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 8)
    .padEnd(8, "0");
  const secret = randomToken(32);
  const key = `us_${prefix}_${secret}`;
  const row = await db
    .insertInto("api_keys")
    .values({
      user_id: userId,
      name: name.trim(),
      prefix,
      key_hash: sha256Hex(key),
      created_at: isoNow(),
      last_used_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, key, prefix };
}

export async function apiKeyUser(db: Db, key: string): Promise<Authenticated | null> {
  const match = API_KEY.exec(key);
  if (!match) return null;
  const row = await db
    .selectFrom("api_keys as k")
    .innerJoin("users as u", "u.id", "k.user_id")
    .selectAll("u")
    .select(["k.id as key_id", "k.key_hash", "k.name as key_name"])
    .where("k.prefix", "=", match[1]!)
    .executeTakeFirst();
  if (!row || row.key_hash !== sha256Hex(key) || row.disabled === 1) return null;
  await db.updateTable("api_keys").set({ last_used_at: isoNow() }).where("id", "=", row.key_id).execute();
  const user = toUser(row);
  return { user, actor: actorOf(user), via: "apiKey", csrfToken: null, apiKeyName: row.key_name };
}

export async function listApiKeys(db: Db, userId: number) {
  const rows = await db
    .selectFrom("api_keys")
    .select(["id", "name", "prefix", "created_at", "last_used_at"])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }));
}

export async function deleteApiKey(db: Db, userId: number, id: number): Promise<void> {
  const result = await db
    .deleteFrom("api_keys")
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("API key", id);
}
