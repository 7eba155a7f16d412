// /api/mailings/:id/sms-*: an SMS mailing's preview per recipient, the parts its list needs, a test to typed
// numbers, and the replies that came back (SPEC §12).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  SmsPreviewSchema,
  SmsReplySchema,
  SmsSummarySchema,
  SmsTestSchema,
} from "../../send/channels/sms/api-schemas.ts";
import { sendSmsTest, smsPreview, smsReplies, smsSummary } from "../../send/channels/sms/preview.ts";
import { errorResponses, Id, IdParams, PageQuery, type RouteDeps } from "../schemas.ts";

export const mailingSmsRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    // Read when used: the public address is known only once the server listens.
    const smsDeps = () => ({ db, publicUrl: deps.send.publicUrl, keys: deps.send.keys });
    app.get(
      "/mailings/:id/sms-preview",
      {
        schema: {
          tags,
          summary: "An SMS mailing's text as one recipient (or a sample) gets it, with encoding and parts",
          params: IdParams,
          querystring: Type.Object({ recipientId: Type.Optional(Id) }, { additionalProperties: false }),
          response: { 200: SmsPreviewSchema, ...errorResponses },
        },
      },
      async (request) => smsPreview(smsDeps(), request.params.id, request.query.recipientId),
    );
    app.get(
      "/mailings/:id/sms-summary",
      {
        schema: {
          tags,
          summary:
            "The parts an SMS mailing's eligible recipients need: the most, how many need more than one",
          params: IdParams,
          response: { 200: SmsSummarySchema, ...errorResponses },
        },
      },
      async (request) => smsSummary(smsDeps(), request.params.id),
    );
    app.post(
      "/mailings/:id/test-sms",
      {
        config: { access: "send" as const },
        schema: {
          tags,
          summary: "Send an SMS mailing's text to ;-separated mobile numbers; nothing is counted",
          params: IdParams,
          body: Type.Object(
            { numbers: Type.String({ minLength: 1, maxLength: 2000 }), recipientId: Type.Optional(Id) },
            { additionalProperties: false },
          ),
          response: { 200: SmsTestSchema, ...errorResponses },
        },
      },
      async (request) =>
        sendSmsTest(smsDeps(), request.params.id, request.body.numbers, request.body.recipientId),
    );
    app.get(
      "/mailings/:id/sms-replies",
      {
        schema: {
          tags,
          summary: "Replies to an SMS mailing, newest first; STOPP replies are opt-outs",
          params: IdParams,
          querystring: Type.Object(PageQuery, { additionalProperties: false }),
          response: {
            200: Type.Object({
              items: Type.Array(SmsReplySchema),
              total: Type.Integer(),
              limit: Type.Integer(),
              offset: Type.Integer(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => smsReplies(db, request.params.id, request.query),
    );
  };
