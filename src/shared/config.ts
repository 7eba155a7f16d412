// The one configuration schema: UTSEND_* environment variables over an optional JSON config file, parsed once.
import { existsSync, readFileSync } from "node:fs";
import Type, { type Static, type TSchema } from "typebox";
import Value from "typebox/value";
import { AppError } from "./errors.ts";

type Entry = { env: string; schema: TSchema; description: string };

// One DNS server: IPv4 with an optional port, [IPv6]:port, or a bare IPv6 address.
const DNS_SERVER =
  "(\\d{1,3}(\\.\\d{1,3}){3}(:\\d{1,5})?|\\[[0-9a-fA-F:.]+\\](:\\d{1,5})?|[0-9a-fA-F]*:[0-9a-fA-F:.]+)";
const DNS_SERVERS_PATTERN = `^(\\s*${DNS_SERVER}\\s*(,\\s*${DNS_SERVER}\\s*)*)?$`;

// Each entry is a config key, the environment variable that sets it and what it does; the README table is made from this.
export const configEntries = {
  host: {
    env: "UTSEND_HOST",
    schema: Type.String({ default: "127.0.0.1", minLength: 1 }),
    description: "Address the HTTP server binds to.",
  },
  port: {
    env: "UTSEND_PORT",
    schema: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
    description: "HTTP port for the API and the web UI (0 picks a free port).",
  },
  publicUrl: {
    env: "UTSEND_PUBLIC_URL",
    schema: Type.String({ default: "", pattern: "^(https?://[^\\s/]+(/[^\\s]*)?)?$" }),
    description:
      "Address people reach utsend at, for links in messages (unsubscribe); empty means http://HOST:PORT.",
  },
  secret: {
    env: "UTSEND_SECRET",
    schema: Type.String({ default: "", maxLength: 512 }),
    description:
      "Key that signs unsubscribe, bounce and tracking (click, open) tokens; empty generates one on first start and keeps it in the database.",
  },
  dataDir: {
    env: "UTSEND_DATA_DIR",
    schema: Type.String({ default: "./data", minLength: 1 }),
    description: "Folder for the SQLite database and other local data.",
  },
  databaseUrl: {
    env: "UTSEND_DATABASE_URL",
    schema: Type.String({ default: "", pattern: "^((postgres|postgresql)://.+|sqlite:.+)?$" }),
    description:
      "`postgres://user@host:5432/db` for PostgreSQL, `sqlite:path/to.db`, or empty for DATA_DIR/utsend.db.",
  },
  databaseSchema: {
    env: "UTSEND_DATABASE_SCHEMA",
    schema: Type.String({ default: "public", pattern: "^[a-z_][a-z0-9_]{0,62}$" }),
    description: "PostgreSQL schema to use (created when missing).",
  },
  adminEmail: {
    env: "UTSEND_ADMIN_EMAIL",
    schema: Type.String({ default: "admin@utsend.local", minLength: 3, maxLength: 254 }),
    description: "E-mail (user name) of the admin user created on first start.",
  },
  adminPassword: {
    env: "UTSEND_ADMIN_PASSWORD",
    schema: Type.String({ default: "", maxLength: 200 }),
    description: "Password of the admin created on first start; empty generates one and prints it once.",
  },
  defaultCountry: {
    env: "UTSEND_DEFAULT_COUNTRY",
    schema: Type.String({ default: "NO", pattern: "^[A-Z]{2}$" }),
    description: "Country (ISO 3166 alpha-2) assumed for phone numbers written without a country code.",
  },
  demoData: {
    env: "UTSEND_DEMO_DATA",
    schema: Type.Boolean({ default: true }),
    description: "Load the demo data set into an empty database on first start.",
  },
  sessionHours: {
    env: "UTSEND_SESSION_HOURS",
    schema: Type.Integer({ default: 12, minimum: 1, maximum: 720 }),
    description: "How long a sign-in session lasts.",
  },
  loginAttemptsPerMinute: {
    env: "UTSEND_LOGIN_ATTEMPTS_PER_MINUTE",
    schema: Type.Integer({ default: 10, minimum: 1, maximum: 1000 }),
    description: "Sign-in attempts allowed per client address and minute.",
  },
  formIpLimit: {
    env: "UTSEND_FORM_IP_LIMIT",
    schema: Type.Integer({ default: 10, minimum: 0, maximum: 1_000_000 }),
    description:
      "Submissions a hosted form takes from one client address (IPv4 /24, IPv6 /48) per 10 minutes; 0 turns the limit off, for load tests and installs behind a proxy that limits on its own.",
  },
  secureCookies: {
    env: "UTSEND_SECURE_COOKIES",
    schema: Type.Boolean({ default: false }),
    description: "Mark the session cookie Secure (set when served over https).",
  },
  worker: {
    env: "UTSEND_WORKER",
    schema: Type.Boolean({ default: true }),
    description:
      "Run a send worker inside the server process; turn off when separate `utsend worker` processes send.",
  },
  leaseSeconds: {
    env: "UTSEND_LEASE_SECONDS",
    schema: Type.Integer({ default: 60, minimum: 2, maximum: 3600 }),
    description:
      "How long a worker owns the deliveries it claimed, and a server the form submission it processes; after a crash they are released (or marked unknown) this much later.",
  },
  smtpReplyTimeoutSeconds: {
    env: "UTSEND_SMTP_REPLY_TIMEOUT_SECONDS",
    schema: Type.Integer({ default: 60, minimum: 1, maximum: 900 }),
    description:
      "How long a send waits for an SMTP server's reply. A message given up before its data was handed over is tried again later; one given up after it is marked unknown, for a person to decide.",
  },
  dnsServers: {
    env: "UTSEND_DNS_SERVERS",
    schema: Type.String({ default: "", pattern: DNS_SERVERS_PATTERN }),
    description:
      "DNS servers for the sending-domain check, comma-separated `ip` or `ip:port` (`[ipv6]:port`); empty uses the system's.",
  },
  dnsTimeoutMs: {
    env: "UTSEND_DNS_TIMEOUT_MS",
    schema: Type.Integer({ default: 5000, minimum: 100, maximum: 60_000 }),
    description:
      "How long the sending-domain check waits for one DNS answer before it reports the check as unknown.",
  },
  logLevel: {
    env: "UTSEND_LOG_LEVEL",
    schema: Type.Enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { default: "warn" }),
    description: "Log level: fatal, error, warn, info, debug, trace or silent.",
  },
  bounceImapUrl: {
    env: "UTSEND_BOUNCE_IMAP_URL",
    schema: Type.String({ default: "", maxLength: 2000, pattern: "^(imaps?://[^\\s/]+(/[^\\s]*)?)?$" }),
    description:
      "Mailbox where bounces land, polled over IMAP: `imaps://user:password@host:993/INBOX` (TLS) or `imap://…` (port 143, STARTTLS when offered); user and password URL-encoded; empty turns the poller off.",
  },
  bounceImapAfter: {
    env: "UTSEND_BOUNCE_IMAP_AFTER",
    schema: Type.Enum(["move", "delete"], { default: "move" }),
    description:
      "What the IMAP poller does with a message once it is stored: `move` it to UTSEND_BOUNCE_IMAP_FOLDER or `delete` it.",
  },
  bounceImapFolder: {
    env: "UTSEND_BOUNCE_IMAP_FOLDER",
    schema: Type.String({ default: "utsend-processed", minLength: 1, maxLength: 200 }),
    description: "Folder the IMAP poller moves stored messages to (created when missing).",
  },
  bounceImapIntervalSeconds: {
    env: "UTSEND_BOUNCE_IMAP_INTERVAL_SECONDS",
    schema: Type.Integer({ default: 60, minimum: 1, maximum: 86_400 }),
    description:
      "Seconds between polls of the bounce mailbox; new mail announced while the connection idles (IMAP IDLE) is fetched at once.",
  },
  sesTopicArns: {
    env: "UTSEND_SES_TOPIC_ARNS",
    schema: Type.String({ default: "", maxLength: 4000, pattern: "^[\\sa-zA-Z0-9:*_,.-]*$" }),
    description:
      "Amazon SNS topics (ARNs, comma-separated; `*` matches anything) whose SES notifications `POST /hooks/ses` accepts; empty turns the endpoint off.",
  },
  mailgunSigningKey: {
    env: "UTSEND_MAILGUN_SIGNING_KEY",
    schema: Type.String({ default: "", maxLength: 500 }),
    description:
      "Mailgun's HTTP webhook signing key, for `POST /hooks/mailgun`; empty turns the endpoint off.",
  },
  sendgridPublicKey: {
    env: "UTSEND_SENDGRID_PUBLIC_KEY",
    schema: Type.String({ default: "", maxLength: 4000 }),
    description:
      "SendGrid's signed Event Webhook verification key (base64, as SendGrid shows it, or PEM), for `POST /hooks/sendgrid`; empty turns the endpoint off.",
  },
  postmarkWebhookSecret: {
    env: "UTSEND_POSTMARK_WEBHOOK_SECRET",
    schema: Type.String({ default: "", maxLength: 200, pattern: "^([A-Za-z0-9._~-]{16,})?$" }),
    description:
      "Secret (16 or more URL-safe characters) in the Postmark webhook URL `/hooks/postmark/<secret>`, or its basic-auth password; empty turns the endpoint off.",
  },
  spamAssassin: {
    env: "UTSEND_SPAMASSASSIN",
    schema: Type.Enum(["auto", "off"], { default: "auto" }),
    description:
      "Whether the Confirm step's spam check asks SpamAssassin: `auto` uses UTSEND_SPAMD_ADDRESS, else `spamassassin` when installed here; `off` runs utsend's own content checks alone.",
  },
  spamdAddress: {
    env: "UTSEND_SPAMD_ADDRESS",
    schema: Type.String({
      default: "",
      maxLength: 300,
      pattern: "^([^\\s:]+|\\[[0-9a-fA-F:.]+\\]):\\d{1,5}$|^$",
    }),
    description:
      "SpamAssassin's spamd (`host:port`) that the spam check asks through `spamc`; empty runs `spamassassin -L` (local tests only, no network) on this machine when it is installed.",
  },
  spamCheckTimeoutMs: {
    env: "UTSEND_SPAM_CHECK_TIMEOUT_MS",
    schema: Type.Integer({ default: 15_000, minimum: 1000, maximum: 120_000 }),
    description: "How long the spam check waits for SpamAssassin before it reports the score as unknown.",
  },
} satisfies Record<string, Entry>;

const schemaProperties = Object.fromEntries(Object.entries(configEntries).map(([k, e]) => [k, e.schema])) as {
  [K in keyof typeof configEntries]: (typeof configEntries)[K]["schema"];
};
export const configSchema = Type.Object(schemaProperties, { additionalProperties: false });

export type Config = Static<typeof configSchema>;

export const CONFIG_FILE_ENV = "UTSEND_CONFIG_FILE";

/** Reads the optional config file named by UTSEND_CONFIG_FILE (or ./utsend.config.json), then the environment over it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  let fromFile: Record<string, unknown> = {};
  const filePath =
    env[CONFIG_FILE_ENV] ?? (existsSync("utsend.config.json") ? "utsend.config.json" : undefined);
  if (filePath) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(filePath, "utf8"));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        problems.push(`${filePath}: must hold a JSON object`);
      } else {
        fromFile = parsed as Record<string, unknown>;
      }
    } catch (error) {
      problems.push(`${filePath}: ${(error as Error).message}`);
    }
  }
  const raw: Record<string, unknown> = { ...fromFile };
  for (const [key, entry] of Object.entries(configEntries)) {
    const value = env[entry.env];
    if (value !== undefined) raw[key] = value;
  }
  Object.assign(raw, overrides);
  for (const key of Object.keys(raw)) {
    if (!(key in configEntries)) problems.push(`${filePath ?? "config"}: unknown key "${key}"`);
  }
  const withDefaults = Value.Default(configSchema, Value.Convert(configSchema, raw));
  for (const error of Value.Errors(configSchema, withDefaults)) {
    const key = error.instancePath.replace(/^\//, "");
    if (!key || !(key in configEntries)) continue;
    const entry = configEntries[key as keyof typeof configEntries];
    const message =
      error.keyword === "enum" ? `must be one of ${allowedValues(entry.schema)}` : error.message;
    problems.push(`${entry.env} (${key}): ${message}, got ${JSON.stringify(raw[key])}`);
  }
  if (problems.length > 0) {
    throw new AppError("CONFIG_INVALID", `Invalid configuration:\n- ${problems.join("\n- ")}`, { problems });
  }
  return withDefaults as Config;
}

function allowedValues(schema: TSchema): string {
  return ((schema as { enum?: unknown[] }).enum ?? []).join(", ");
}

/** The README configuration table, generated from the schema above. */
export function configTableMarkdown(): string {
  const rows = Object.entries(configEntries).map(([key, entry]) => {
    const fallback = (entry.schema as { default?: unknown }).default;
    const shown = fallback === "" || fallback === undefined ? "(empty)" : `\`${String(fallback)}\``;
    return `| \`${entry.env}\` | \`${key}\` | ${shown} | ${entry.description} |`;
  });
  return [
    "| Environment variable | Config file key | Default | Meaning |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
