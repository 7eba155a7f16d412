// Provider webhooks for bounces and complaints, and Twilio's SMS reports and replies, outside /api and without sign-in: each request proves itself by the
// provider's signature (or a secret in the URL), is stored raw only then, and processed like returned mail.
// An endpoint whose key is not configured answers 404 as if it did not exist. Left out of the OpenAPI document:
// the bodies are the providers' formats, documented by them (docs/bounces.md says what utsend reads).
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { verifyMailgun } from "../../bounces/webhooks/mailgun.ts";
import { verifyPostmark } from "../../bounces/webhooks/postmark.ts";
import type { StoredEvent, WebhookRoute } from "../../bounces/webhooks/provider-event.ts";
import { processStored, startPendingSweep, storeEvents } from "../../bounces/webhooks/receive.ts";
import {
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  sendgridPublicKey,
  verifySendgrid,
} from "../../bounces/webhooks/sendgrid.ts";
import { readSesMessage, sesEvents } from "../../bounces/webhooks/ses.ts";
import { ReplayGuard } from "../../bounces/webhooks/signatures.ts";
import {
  certificateSource,
  confirmSubscription,
  type FetchText,
  httpsFetchText,
  parseTopicList,
  readSnsMessage,
  topicAllowed,
  verifySnsMessage,
} from "../../bounces/webhooks/sns.ts";
import { recordInboundSms } from "../../send/channels/sms/inbound.ts";
import {
  parseInboundWebhook,
  parseStatusCallback,
  verifyTwilioSignature,
} from "../../send/channels/sms/twilio.ts";
import { recordDeliveryReport } from "../../send/reports.ts";
import { AppError } from "../../shared/errors.ts";
import type { RouteDeps } from "../schemas.ts";

/** Large enough for a SendGrid batch; SendGrid and SNS stay well under it. */
const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

export type WebhookOptions = {
  /** How SNS signing certificates and subscription URLs are fetched; tests pass their own. */
  fetchText?: FetchText;
};

const header = (request: FastifyRequest, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === "string" ? value : null;
};

export const webhookRoutes =
  (deps: RouteDeps, options: WebhookOptions = {}): FastifyPluginAsync =>
  async (app) => {
    // Signatures cover the exact bytes: every body stays the raw string here (this plugin's scope only).
    app.removeContentTypeParser(["application/json", "text/plain"]);
    app.addContentTypeParser(
      "*",
      { parseAs: "string", bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );

    const { config, db } = deps;
    const topics = parseTopicList(config.sesTopicArns);
    const sendgridKey = config.sendgridPublicKey ? sendgridPublicKey(config.sendgridPublicKey) : null;
    const fetchText = options.fetchText ?? httpsFetchText();
    const certificates = certificateSource(fetchText);
    const guard = new ReplayGuard();
    const log = (line: string) => app.log.warn(line);
    if (topics.length > 0 || config.mailgunSigningKey || sendgridKey || config.postmarkWebhookSecret) {
      const stop = startPendingSweep(db, () => deps.send.keys, log);
      app.addHook("onClose", async () => stop());
    }

    const rawBody = (request: FastifyRequest) => (typeof request.body === "string" ? request.body : "");
    const off = (request: FastifyRequest) =>
      new AppError("NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}`);
    const accept = async (route: WebhookRoute, source: string, events: StoredEvent[]) => {
      const ids = await storeEvents(db, route, source, events);
      await processStored(db, deps.send.keys, ids, log);
      return { received: ids.length };
    };

    app.post("/hooks/ses", { schema: { hide: true } }, async (request) => {
      if (topics.length === 0) throw off(request);
      const message = readSnsMessage(rawBody(request));
      if (!topicAllowed(message.TopicArn, topics))
        throw new AppError("WEBHOOK_TOPIC_REFUSED", "The SNS topic is not one utsend accepts", {
          field: "TopicArn",
        });
      await verifySnsMessage(message, certificates);
      if (message.Type === "SubscriptionConfirmation") {
        await confirmSubscription(message, fetchText);
        app.log.info(`confirmed the SNS subscription to ${message.TopicArn}`);
        return { confirmed: true };
      }
      if (message.Type === "UnsubscribeConfirmation") return { received: 0 };
      const notification = readSesMessage(message.Message);
      const events = notification ? sesEvents(notification, rawBody(request), message.MessageId) : [];
      return accept("webhook-ses", message.TopicArn, events);
    });

    app.post("/hooks/mailgun", { schema: { hide: true } }, async (request) => {
      if (!config.mailgunSigningKey) throw off(request);
      const now = Date.now();
      const checked = verifyMailgun(rawBody(request), config.mailgunSigningKey, guard, now);
      const answer = await accept("webhook-mailgun", "mailgun", checked.events);
      guard.remember(checked.replayKey, checked.timestamp, now);
      return answer;
    });

    app.post("/hooks/sendgrid", { schema: { hide: true } }, async (request) => {
      if (!sendgridKey) throw off(request);
      const now = Date.now();
      const checked = verifySendgrid(
        rawBody(request),
        {
          signature: header(request, SENDGRID_SIGNATURE_HEADER),
          timestamp: header(request, SENDGRID_TIMESTAMP_HEADER),
        },
        sendgridKey,
        guard,
        now,
      );
      const answer = await accept("webhook-sendgrid", "sendgrid", checked.events);
      guard.remember(checked.replayKey, checked.timestamp, now);
      return answer;
    });

    const postmark = async (request: FastifyRequest, pathSecret: string | null) => {
      if (!config.postmarkWebhookSecret) throw off(request);
      const events = verifyPostmark(
        rawBody(request),
        { pathSecret, authorization: request.headers.authorization },
        config.postmarkWebhookSecret,
      );
      return accept("webhook-postmark", "postmark", events);
    };
    // Twilio, per SMS account: delivery reports and inbound replies, each signed with the account's auth token over
    // the public URL Twilio called.
    const twilio = async (request: FastifyRequest) => {
      const accountId = Number((request.params as { accountId?: string }).accountId);
      const account = Number.isSafeInteger(accountId)
        ? await db
            .selectFrom("sending_accounts")
            .select(["id", "kind", "password"])
            .where("id", "=", accountId)
            .executeTakeFirst()
        : undefined;
      if (account?.kind !== "twilio" || !account.password) throw off(request);
      const params = Object.fromEntries(
        [...new URLSearchParams(rawBody(request))].reduce((all, [name, value]) => {
          all.set(name, [...(all.get(name) ?? []), value]);
          return all;
        }, new Map<string, string[]>()),
      );
      const url = `${deps.send.publicUrl.replace(/\/+$/, "")}${request.url}`;
      if (
        !verifyTwilioSignature({
          url,
          params,
          signature: header(request, "x-twilio-signature"),
          authToken: account.password,
        })
      )
        throw new AppError(
          "WEBHOOK_SIGNATURE_INVALID",
          "The X-Twilio-Signature does not match this request",
          {
            field: "X-Twilio-Signature",
          },
        );
      return { account, params };
    };
    app.post("/hooks/twilio/:accountId/status", { schema: { hide: true } }, async (request) => {
      const { account, params } = await twilio(request);
      const report = parseStatusCallback(params);
      const changed = report ? await recordDeliveryReport(db, account.id, report) : false;
      return { received: report ? 1 : 0, changed };
    });
    app.post("/hooks/twilio/:accountId/inbound", { schema: { hide: true } }, async (request, reply) => {
      const { account, params } = await twilio(request);
      await recordInboundSms(db, account.id, parseInboundWebhook(params));
      // An empty TwiML answer: no automatic reply.
      return reply.type("text/xml").send("<Response></Response>");
    });

    app.post("/hooks/postmark", { schema: { hide: true } }, async (request) => postmark(request, null));
    app.post("/hooks/postmark/:secret", { schema: { hide: true } }, async (request) =>
      postmark(request, String((request.params as { secret?: string }).secret ?? "").slice(0, 500)),
    );
  };
