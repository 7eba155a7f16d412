// Following up a sent mailing (SPEC §8): statistics, tracked links with their clickers and actions, the recipient
// list with combinable filters, adding people to a selection or project; and the library of registered links.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { getMailing } from "../../mailings/store.ts";
import { reloadAndResend } from "../../send/reload.ts";
import {
  AddResultSchema,
  ClickerPageSchema,
  FollowUpPageSchema,
  RegisteredLinkListSchema,
  RegisteredLinkSchema,
  ResendResultSchema,
  ResetTestClicksSchema,
  StatisticsSchema,
  TrackedLinkListSchema,
} from "../../track/api-schemas.ts";
import {
  addRecipientsTo,
  CURSOR_PATTERN,
  type FollowUpQuery,
  followUpRecipients,
  parseCursor,
  parseFilters,
} from "../../track/follow-up.ts";
import {
  createRegisteredLink,
  deleteRegisteredLink,
  LINK_ACTIONS,
  linkClickers,
  listLinks,
  listRegisteredLinks,
  resetTestClicks,
  setLinkAction,
} from "../../track/link-admin.ts";
import { mailingStatistics } from "../../track/stats.ts";
import {
  errorResponses,
  Id,
  IdParams,
  literals,
  NoContent,
  Nullable,
  PageQuery,
  type RouteDeps,
} from "../schemas.ts";

const LinkParams = Type.Object({ id: Id, linkId: Id });
const FilterQuery = {
  filters: Type.Optional(
    Type.String({
      maxLength: 300,
      description:
        "Comma-separated, all must hold: sent, delivered, not-sent, bounced, opened, clicked, blocked, complained, unsubscribed, failed, unknown",
    }),
  ),
  linkId: Type.Optional(Id),
  search: Type.Optional(Type.String({ maxLength: 200 })),
};
const queryOf = (q: { filters?: string; linkId?: number; search?: string }): FollowUpQuery => ({
  filters: parseFilters(q.filters),
  ...(q.linkId !== undefined ? { linkId: q.linkId } : {}),
  ...(q.search ? { search: q.search } : {}),
});

export const followUpRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["follow-up"];

    app.get(
      "/mailings/:id/statistics",
      {
        schema: {
          tags,
          summary:
            "Sent, delivered, opens, clicks, bounces, unsubscribes, complaints, rates, the 48-hour chart and links",
          params: IdParams,
          response: { 200: StatisticsSchema, ...errorResponses },
        },
      },
      async (request) => mailingStatistics(db, request.params.id),
    );

    app.get(
      "/mailings/:id/links",
      {
        schema: {
          tags,
          summary: "The mailing's tracked links with clicks and unique clickers",
          params: IdParams,
          response: { 200: TrackedLinkListSchema, ...errorResponses },
        },
      },
      async (request) => {
        await getMailing(db, request.params.id);
        return listLinks(db, request.params.id);
      },
    );
    app.get(
      "/mailings/:id/links/:linkId/clickers",
      {
        schema: {
          tags,
          summary: "Who clicked the link and when (machine clicks flagged)",
          params: LinkParams,
          querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
          response: { 200: ClickerPageSchema, ...errorResponses },
        },
      },
      async (request) =>
        linkClickers(db, request.params.id, request.params.linkId, {
          limit: request.query.limit,
          offset: request.query.offset,
        }),
    );
    app.put(
      "/mailings/:id/links/:linkId/action",
      {
        schema: {
          tags,
          summary: "Set or clear what a click on the link does to the person (selection, project, interest)",
          params: LinkParams,
          body: Type.Object(
            {
              action: Nullable(
                Type.Object(
                  { kind: literals([...LINK_ACTIONS] as string[] as ["add-to-selection"]), refId: Id },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const action = request.body.action as { kind: (typeof LINK_ACTIONS)[number]; refId: number } | null;
        await setLinkAction(db, request.params.id, request.params.linkId, action);
        return reply.status(204).send(null);
      },
    );
    app.post(
      "/mailings/:id/links/:linkId/reset-test-clicks",
      {
        schema: {
          tags,
          summary: "Clear the clicks made from test sends",
          params: LinkParams,
          response: { 200: ResetTestClicksSchema, ...errorResponses },
        },
      },
      async (request) => resetTestClicks(db, request.params.id, request.params.linkId),
    );

    app.get(
      "/mailings/:id/follow-up",
      {
        schema: {
          tags,
          summary: "Recipients with their latest delivery, opens and clicks; filters combine (all must hold)",
          params: IdParams,
          querystring: Type.Object(
            {
              ...PageQuery,
              limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
              after: Type.Optional(
                Type.String({
                  pattern: CURSOR_PATTERN,
                  description:
                    "The previous page's nextCursor: the page after it, as fast at page 1,000 as at page 1 (prefer it to offset, which skips rows)",
                }),
              ),
              ...FilterQuery,
            },
            { additionalProperties: false },
          ),
          response: { 200: FollowUpPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { limit, offset, after, ...rest } = request.query;
        return followUpRecipients(db, request.params.id, queryOf(rest), {
          limit,
          offset,
          ...(after ? { after: parseCursor(after) } : {}),
        });
      },
    );
    app.post(
      "/mailings/:id/follow-up/add-to",
      {
        schema: {
          tags,
          summary:
            "Add the CRM persons among the given recipients (or all matching the filters) to a selection or project",
          params: IdParams,
          body: Type.Object(
            {
              recipientIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 10_000 })),
              ...FilterQuery,
              selectionId: Type.Optional(Id),
              projectId: Type.Optional(Id),
              newSelectionName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: AddResultSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { recipientIds, selectionId, projectId, newSelectionName, ...query } = request.body;
        return addRecipientsTo(
          db,
          request.params.id,
          { ...(recipientIds ? { recipientIds } : {}), query: queryOf(query) },
          {
            ...(selectionId !== undefined ? { selectionId } : {}),
            ...(projectId !== undefined ? { projectId } : {}),
            ...(newSelectionName !== undefined ? { newSelectionName } : {}),
          },
        );
      },
    );

    app.post(
      "/mailings/:id/resend",
      {
        config: { access: "send" },
        schema: {
          tags,
          summary:
            "Send again to the selected recipients who have not received it (a new attempt; consent and blocks checked again)",
          params: IdParams,
          body: Type.Object(
            { recipientIds: Type.Array(Id, { minItems: 1, maxItems: 10_000 }) },
            { additionalProperties: false },
          ),
          response: { 200: ResendResultSchema, ...errorResponses },
        },
      },
      async (request) =>
        reloadAndResend(db, request.params.id, { onlyRecipientIds: request.body.recipientIds }),
    );
    app.post(
      "/mailings/:id/reload-and-resend",
      {
        config: { access: "send" },
        schema: {
          tags,
          summary:
            "Read the sources again (corrected addresses, newcomers) and send to everyone who has not received it",
          params: IdParams,
          response: { 200: ResendResultSchema, ...errorResponses },
        },
      },
      async (request) => reloadAndResend(db, request.params.id),
    );

    app.get(
      "/registered-links",
      {
        schema: {
          tags,
          summary: "Registered links, reused across mailings, with their total clicks",
          response: { 200: RegisteredLinkListSchema, ...errorResponses },
        },
      },
      async () => listRegisteredLinks(db),
    );
    app.post(
      "/registered-links",
      {
        schema: {
          tags,
          summary: "Register a link by its URL and a name",
          body: Type.Object(
            {
              url: Type.String({ minLength: 8, maxLength: 2000 }),
              name: Type.String({ minLength: 1, maxLength: 200 }),
            },
            { additionalProperties: false },
          ),
          response: { 201: RegisteredLinkSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createRegisteredLink(db, request.body)),
    );
    app.delete(
      "/registered-links/:id",
      {
        schema: {
          tags,
          summary: "Remove a registered link",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteRegisteredLink(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
