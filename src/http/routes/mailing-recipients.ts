// /api/mailings/:id/sources and /recipients: step 4's recipient sources and the resolved list.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { BLOCK_REASONS } from "../../db/block-reasons.ts";
import { MailingSchema } from "../../mailings/api-schemas.ts";
import {
  addRecipientSource,
  recipientsOf,
  refreshRecipients,
  removeRecipientSource,
  sourcesOf,
} from "../../mailings/recipient-sources.ts";
import { errorResponses, IdParams, literals, Nullable, PageQuery, type RouteDeps } from "../schemas.ts";

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });

export const mailingRecipientRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    app.get(
      "/mailings/:id/sources",
      { schema: { tags, summary: "Recipient sources added in step 4, in order", params: IdParams } },
      async (request) => sourcesOf(db, request.params.id),
    );
    app.post(
      "/mailings/:id/sources",
      {
        schema: {
          tags,
          summary: "Add a recipient source; the list is resolved again at once",
          params: IdParams,
          body: Type.Object(
            {
              kind: literals(["selection", "project", "person", "addresses"] as const),
              refId: Type.Optional(Id),
              addresses: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      email: Type.String({ maxLength: 254 }),
                      name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
                    },
                    { additionalProperties: false },
                  ),
                  { maxItems: 10_000 },
                ),
              ),
              consentConfirmed: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => addRecipientSource(db, request.params.id, request.body),
    );
    app.delete(
      "/mailings/:id/sources/:sourceId",
      {
        schema: {
          tags,
          summary: "Remove a recipient source",
          params: Type.Object({ id: Id, sourceId: Id }),
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => removeRecipientSource(db, request.params.id, request.params.sourceId),
    );
    app.post(
      "/mailings/:id/recipients/refresh",
      {
        schema: {
          tags,
          summary: "Resolve the recipient list again from its sources",
          params: IdParams,
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => refreshRecipients(db, request.params.id),
    );
    app.get(
      "/mailings/:id/recipients",
      {
        schema: {
          tags,
          summary: "The recipient list with each row's status and reason",
          params: IdParams,
          querystring: Type.Object(
            {
              ...PageQuery,
              status: Type.Optional(literals(["eligible", "blocked"] as const)),
              reason: Type.Optional(literals(BLOCK_REASONS)),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return recipientsOf(db, request.params.id, filter, { limit, offset });
      },
    );
  };
