// /api/mailings/:id/spam-check: the finished message for one recipient scored by SpamAssassin and utsend's own
// content checks (slow: its own request, not part of every mailing read), and dismissals of what it found.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { DismissSpamFindingSchema, SpamCheckSchema } from "../../deliverability/api-schemas.ts";
import { caller } from "../auth.ts";
import { errorResponses, Id, IdParams, type RouteDeps } from "../schemas.ts";

export const mailingSpamCheckRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ["mailings"];
    app.get(
      "/mailings/:id/spam-check",
      {
        config: { access: "read" },
        schema: {
          tags,
          summary:
            "Score the message one recipient would get for spam (SpamAssassin where configured, and utsend's own checks)",
          description:
            "Without recipientId, the first eligible recipient. A SpamAssassin score at or over its threshold blocks sending until dismissed with a reason.",
          params: IdParams,
          querystring: Type.Object({ recipientId: Type.Optional(Id) }, { additionalProperties: false }),
          response: { 200: SpamCheckSchema, ...errorResponses },
        },
      },
      async (request) => deps.spamCheck.check(request.params.id, request.query.recipientId),
    );
    app.get(
      "/mailings/:id/spam-check/message",
      {
        config: { access: "read" },
        schema: {
          tags,
          summary: "The raw message (message/rfc822) the spam check scored for the recipient",
          params: IdParams,
          querystring: Type.Object({ recipientId: Type.Optional(Id) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const raw = await deps.spamCheck.message(request.params.id, request.query.recipientId);
        return reply
          .header("content-type", "message/rfc822")
          .header("content-disposition", `attachment; filename="mailing-${request.params.id}.eml"`)
          .header("cache-control", "no-store")
          .send(raw);
      },
    );
    app.put(
      "/mailings/:id/spam-check/dismissed",
      {
        config: { access: "write" },
        schema: {
          tags,
          summary: "Dismiss a spam finding or score (a blocking score needs a reason), or bring it back",
          params: IdParams,
          body: DismissSpamFindingSchema,
          response: { 200: SpamCheckSchema, ...errorResponses },
        },
      },
      async (request) => deps.spamCheck.dismiss(request.params.id, request.body, caller(request).user.id),
    );
  };
