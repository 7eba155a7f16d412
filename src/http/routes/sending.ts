// /api/sending-accounts, /api/sending-domains (admin) and /api/outbox.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { SMS_ACCOUNT_KINDS } from "../../mailings/words.ts";
import {
  accountForSending,
  createAccount,
  createDomain,
  deleteDomain,
  ehloAccountsToCheck,
  getDomain,
  listAccounts,
  listDomains,
  setDomainSigning,
  updateAccount,
} from "../../send/accounts.ts";
import { testAccountConnection } from "../../send/channels/email/index.ts";
import { listOutbox, outboxMessage } from "../../send/channels/email/outbox.ts";
import { TLS_MODES } from "../../send/channels/email/smtp-settings.ts";
import { setDomainWarmUp } from "../../send/warm-up.ts";
import {
  DkimSignerSchema,
  RelaySelectorSchema,
  SendingDomainSchema,
  WarmUpInputSchema,
} from "../../sending-domains/api-schemas.ts";
import { checkSendingDomain, dnsSettings } from "../../sending-domains/dns-check.ts";
import { audit } from "../audit.ts";
import {
  errorResponses,
  IdParams,
  literals,
  NoContent,
  Nullable,
  PageQuery,
  type RouteDeps,
} from "../schemas.ts";

const admin = { access: "manageSettings" as const };
const AccountBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: literals(["smtp", "outbox", ...SMS_ACCOUNT_KINDS] as const),
    host: Type.Optional(Nullable(Type.String({ maxLength: 253 }))),
    port: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 65535 }))),
    tlsMode: Type.Optional(
      literals(TLS_MODES, {
        description:
          "starttls-required (default; STARTTLS or nothing is sent), starttls-opportunistic (STARTTLS when offered), implicit (TLS from the first byte, port 465), none (clear text; a loopback relay only)",
      }),
    ),
    ehloName: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 253,
          description:
            "The fully qualified host name given in EHLO; null or empty is the host of the public URL. Its A/AAAA and PTR records should match the sending address.",
        }),
      ),
    ),
    caCertificate: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 20_000,
          description: "A PEM CA certificate trusted for this server besides the system's (a private CA)",
        }),
      ),
    ),
    username: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
    password: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    ratePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 })),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    isDefault: Type.Optional(Type.Boolean()),
    timeZone: Type.Optional(
      Nullable(Type.String({ maxLength: 64, description: "SMS: the sending window's IANA time zone" })),
    ),
    apiUrl: Type.Optional(
      Nullable(Type.String({ maxLength: 500, description: "Twilio: the API's base address" })),
    ),
  },
  { additionalProperties: false },
);
const Any = Type.Object({}, { additionalProperties: true });
const ConnectionReport = Type.Object({
  ehloName: Type.String(),
  extensions: Type.Array(Type.String(), { description: "The server's EHLO keywords, after TLS" }),
  tls: Nullable(
    Type.Object({
      version: Type.String({ description: "e.g. TLSv1.3" }),
      cipher: Type.String(),
      certificate: Nullable(
        Type.Object({
          subject: Type.String(),
          issuer: Type.String(),
          validTo: Type.String({ format: "date-time" }),
        }),
      ),
    }),
  ),
  authenticated: Type.Boolean({ description: "Whether the credentials were tried and accepted" }),
});

export const sendingRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["sending"];
    app.get(
      "/sending-accounts",
      { schema: { tags, summary: "Sending accounts (passwords are never shown)" } },
      async () => ({
        items: await listAccounts(db, deps.send.publicUrl),
      }),
    );
    app.post(
      "/sending-accounts",
      {
        config: admin,
        schema: {
          tags,
          summary: "Add an SMTP server (or the local outbox) with its rate (admin)",
          body: AccountBody,
          response: { 201: Any, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await createAccount(db, request.body, deps.send.publicUrl);
        await audit(db, request, {
          action: "sending-account.created",
          target: { type: "sending-account", id: created.id },
          detail: { name: request.body.name, fields: Object.keys(request.body) },
        });
        return reply.status(201).send(created);
      },
    );
    app.patch(
      "/sending-accounts/:id",
      {
        config: admin,
        schema: {
          tags,
          summary: "Change a sending account (admin)",
          params: IdParams,
          body: Type.Partial(AccountBody, { additionalProperties: false }),
          response: { 200: Any, ...errorResponses },
        },
      },
      async (request) => {
        const updated = await updateAccount(db, request.params.id, request.body, deps.send.publicUrl);
        // Field names only: a password (or an API secret) is never written to the log.
        await audit(db, request, {
          action: "sending-account.changed",
          target: { type: "sending-account", id: request.params.id },
          detail: { fields: Object.keys(request.body) },
        });
        return updated;
      },
    );
    app.post(
      "/sending-accounts/:id/test-connection",
      {
        config: admin,
        schema: {
          tags,
          summary:
            "Connect to the account's SMTP server as a send would (EHLO, TLS, login), send nothing, say QUIT, and report the session (admin)",
          params: IdParams,
          response: { 200: ConnectionReport, ...errorResponses },
        },
      },
      async (request) =>
        testAccountConnection(await accountForSending(db, request.params.id), deps.send.publicUrl),
    );
    app.get(
      "/sending-domains",
      {
        schema: {
          tags,
          summary: "Sending domains with the DNS records to publish and their last DNS check",
          response: { 200: Type.Object({ items: Type.Array(SendingDomainSchema) }) },
        },
      },
      async () => ({
        items: await listDomains(db),
      }),
    );
    app.post(
      "/sending-domains",
      {
        config: admin,
        schema: {
          tags,
          summary:
            "Register a sending domain; utsend makes its DKIM key pair and shows the records to publish (admin)",
          body: Type.Object(
            {
              domain: Type.String({ minLength: 3, maxLength: 253 }),
              bounceDomain: Type.Optional(Nullable(Type.String({ maxLength: 253 }))),
              selector: Type.Optional(Nullable(Type.String({ maxLength: 63 }))),
              dkimSigner: Type.Optional(DkimSignerSchema),
              relayDkimSelector: Type.Optional(Nullable(RelaySelectorSchema)),
            },
            { additionalProperties: false },
          ),
          response: { 201: SendingDomainSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await createDomain(db, request.body);
        await audit(db, request, {
          action: "sending-domain.created",
          target: { type: "sending-domain", id: created.id },
          detail: { domain: created.domain },
        });
        return reply.status(201).send(created);
      },
    );
    app.put(
      "/sending-domains/:id/dkim",
      {
        config: admin,
        schema: {
          tags,
          summary:
            "Choose who signs the domain's mail with DKIM: utsend (its own key) or the SMTP relay (give the selector its key is published under); the last DNS check is dropped (admin)",
          params: IdParams,
          body: Type.Object(
            { dkimSigner: DkimSignerSchema, relayDkimSelector: Type.Optional(Nullable(RelaySelectorSchema)) },
            { additionalProperties: false },
          ),
          response: { 200: SendingDomainSchema, ...errorResponses },
        },
      },
      async (request) => {
        const updated = await setDomainSigning(db, request.params.id, request.body);
        await audit(db, request, {
          action: "sending-domain.changed",
          target: { type: "sending-domain", id: updated.id },
          detail: {
            domain: updated.domain,
            dkimSigner: updated.dkimSigner,
            relayDkimSelector: updated.relayDkimSelector,
          },
        });
        return updated;
      },
    );
    app.put(
      "/sending-domains/:id/warm-up",
      {
        config: admin,
        schema: {
          tags,
          summary:
            "Set the domain's warm-up ramp: a daily volume that grows from startPerDay by growth each UTC day until untilPerDay; messages beyond a day's allowance wait for the next UTC midnight. Switching it on makes today its first day (admin)",
          params: IdParams,
          body: WarmUpInputSchema,
          response: { 200: SendingDomainSchema, ...errorResponses },
        },
      },
      async (request) => {
        await setDomainWarmUp(db, request.params.id, request.body);
        const updated = await getDomain(db, request.params.id);
        await audit(db, request, {
          action: "sending-domain.changed",
          target: { type: "sending-domain", id: updated.id },
          detail: { domain: updated.domain, warmUp: updated.warmUp },
        });
        return updated;
      },
    );
    app.post(
      "/sending-domains/:id/check",
      {
        config: admin,
        schema: {
          tags,
          summary:
            "Check the domain's SPF, DKIM and DMARC records, the bounce domain's MX, and each SMTP account's EHLO name (A/AAAA and a PTR back to it) in DNS now and keep the result (admin)",
          params: IdParams,
          response: { 200: SendingDomainSchema, ...errorResponses },
        },
      },
      async (request) => {
        await checkSendingDomain(
          db,
          request.params.id,
          dnsSettings(deps.config),
          await ehloAccountsToCheck(db, deps.send.publicUrl),
        );
        return getDomain(db, request.params.id);
      },
    );
    app.delete(
      "/sending-domains/:id",
      {
        config: admin,
        schema: {
          tags,
          summary: "Remove a sending domain (admin)",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const domain = await getDomain(db, request.params.id);
        await deleteDomain(db, request.params.id);
        await audit(db, request, {
          action: "sending-domain.deleted",
          target: { type: "sending-domain", id: request.params.id },
          detail: { domain: domain.domain },
        });
        return reply.status(204).send(null);
      },
    );
    app.get(
      "/outbox",
      {
        schema: {
          tags,
          summary: "Messages caught by the local outbox",
          querystring: Type.Object(
            { ...PageQuery, mailingId: Type.Optional(Type.Integer({ minimum: 1 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listOutbox(db, filter, { limit, offset });
      },
    );
    app.get(
      "/outbox/:id",
      { schema: { tags, summary: "One caught message, parsed for display", params: IdParams } },
      async (request) => outboxMessage(db, request.params.id),
    );
  };
