// /api/mailings/:id/send, /schedule, /pause …: the lifecycle; progress and deliveries, unknown ones resolved by hand.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { applyAction, listDeliveries, mailingProgress, scheduleMailing } from "../../mailings/actions.ts";
import {
  DeliveryPageSchema,
  MailingSchema,
  ProgressSchema,
  SentAgainSchema,
} from "../../mailings/api-schemas.ts";
import { getMailing } from "../../mailings/store.ts";
import { DELIVERY_STATUSES } from "../../mailings/words.ts";
import { sendingAccountBlockers } from "../../send/accounts.ts";
import { beginSending } from "../../send/planner.ts";
import { markDeliverySent, sendDeliveryAgain } from "../../send/unknown-deliveries.ts";
import { AppError } from "../../shared/errors.ts";
import { errorResponses, IdParams, literals, NoContent, PageQuery, type RouteDeps } from "../schemas.ts";

export const mailingLifecycleRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    const send = { access: "send" as const };
    // A spam score nobody dismissed stops Send and Schedule here, not in the mailing's steps: scoring takes seconds.
    // So does a sending account that cannot send as configured (its problems depend on the public URL).
    const refuseUnready = async (id: number) => {
      const problems = [
        ...(await sendingAccountBlockers(db, id, deps.send.publicUrl)),
        ...(await deps.spamCheck.blockingProblems(id)),
      ];
      if (problems.length > 0)
        throw new AppError(
          "MAILING_NOT_READY",
          `mailing ${id} cannot be sent: ${problems.map((p) => p.message).join("; ")}`,
          { problems },
        );
    };
    app.post(
      "/mailings/:id/send",
      {
        config: send,
        schema: {
          tags,
          summary: "Send now (or start a scheduled one early)",
          params: IdParams,
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => {
        await refuseUnready(request.params.id);
        await beginSending(db, request.params.id);
        return getMailing(db, request.params.id);
      },
    );
    app.post(
      "/mailings/:id/schedule",
      {
        config: send,
        schema: {
          tags,
          summary: "Schedule for a date and time in a time zone",
          params: IdParams,
          body: Type.Object(
            {
              date: Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" }),
              time: Type.String({ pattern: "^\\d{2}:\\d{2}$" }),
              timeZone: Type.String({ minLength: 1, maxLength: 64 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => {
        await refuseUnready(request.params.id);
        return scheduleMailing(db, request.params.id, request.body);
      },
    );
    for (const action of ["unschedule", "pause", "resume", "cancel"] as const)
      app.post(
        `/mailings/:id/${action}`,
        {
          config: send,
          schema: {
            tags,
            summary: `${action[0]!.toUpperCase()}${action.slice(1)} the mailing`,
            params: IdParams,
            response: { 200: MailingSchema, ...errorResponses },
          },
        },
        async (request) => applyAction(db, request.params.id, action),
      );
    app.get(
      "/mailings/:id/progress",
      {
        schema: {
          tags,
          summary: "Sent of total, rate and time left",
          params: IdParams,
          response: { 200: ProgressSchema, ...errorResponses },
        },
      },
      async (request) => mailingProgress(db, request.params.id),
    );
    app.get(
      "/mailings/:id/deliveries",
      {
        schema: {
          tags,
          summary: "Deliveries, e.g. the failed ones with the server's reply or the unknown ones",
          params: IdParams,
          querystring: Type.Object(
            {
              ...PageQuery,
              status: Type.Optional(literals(DELIVERY_STATUSES)),
            },
            { additionalProperties: false },
          ),
          response: { 200: DeliveryPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        await getMailing(db, request.params.id);
        const { limit, offset, ...filter } = request.query;
        return listDeliveries(db, request.params.id, filter, { limit, offset });
      },
    );
    app.post(
      "/deliveries/:id/mark-sent",
      {
        config: send,
        schema: {
          tags,
          summary: "Resolve an unknown delivery: the server did accept it",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await markDeliverySent(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      "/deliveries/:id/send-again",
      {
        config: send,
        schema: {
          tags,
          summary: "Resolve an unknown delivery: send again as a new attempt",
          params: IdParams,
          response: { 200: SentAgainSchema, ...errorResponses },
        },
      },
      async (request) => ({ deliveryId: await sendDeliveryAgain(db, request.params.id) }),
    );
  };
