// /api/mailings/:id/sources and /recipients: step 4's recipient sources and the resolved list.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { BLOCK_REASONS, LEFT_OUT_REASONS } from "../../db/block-reasons.ts";
import {
  MailingSchema,
  PersonCheckSchema,
  RecipientPageSchema,
  SourceInputSchema,
  SourceListSchema,
} from "../../mailings/api-schemas.ts";
import { checkPerson } from "../../mailings/person-check.ts";
import {
  addRecipientSource,
  recipientsOf,
  refreshRecipients,
  removeRecipientSource,
  sourcesOf,
} from "../../mailings/recipient-sources.ts";
import { errorResponses, Id, IdParams, literals, PageQuery, type RouteDeps } from "../schemas.ts";

export const mailingRecipientRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    app.get(
      "/mailings/:id/sources",
      {
        schema: {
          tags,
          summary: "Recipient sources added in step 4, in order",
          params: IdParams,
          response: { 200: SourceListSchema, ...errorResponses },
        },
      },
      async (request) => sourcesOf(db, request.params.id),
    );
    app.post(
      "/mailings/:id/sources",
      {
        schema: {
          tags,
          summary: "Add a recipient source; the list is resolved again at once",
          params: IdParams,
          body: SourceInputSchema,
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
    app.post(
      "/mailings/:id/recipients/check-person",
      {
        schema: {
          tags,
          summary: "Whether one person would receive this mailing, and if not why, before they are added",
          description:
            "Runs the mailing's eligibility rules on the person alone (duplicates aside); a person already on the list gets that row's answer.",
          params: IdParams,
          body: Type.Object({ personId: Id }, { additionalProperties: false }),
          response: { 200: PersonCheckSchema, ...errorResponses },
        },
      },
      async (request) => checkPerson(db, request.params.id, request.body.personId),
    );
    app.get(
      "/mailings/:id/recipients",
      {
        schema: {
          tags,
          summary: "The recipient list with each row's status and reason",
          description:
            "The list: recipients (eligible) and blocked rows. The left out (no usable address) are not on it; `status=left-out` lists them with their reason.",
          params: IdParams,
          querystring: Type.Object(
            {
              ...PageQuery,
              status: Type.Optional(literals(["eligible", "blocked", "left-out"] as const)),
              reason: Type.Optional(literals([...BLOCK_REASONS, ...LEFT_OUT_REASONS])),
            },
            { additionalProperties: false },
          ),
          response: { 200: RecipientPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return recipientsOf(db, request.params.id, filter, { limit, offset });
      },
    );
  };
