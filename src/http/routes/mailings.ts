// /api/mailings: list, create, read, edit, delete and copy a mailing; the insert menu's merge fields.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { parseLetterBody } from "../../documents/letter-body.ts";
import { copyMailing, dismissWarning } from "../../mailings/actions.ts";
import {
  DismissWarningSchema,
  MailingInputSchema,
  MailingPageSchema,
  MailingSchema,
  MergeVariablesQuerySchema,
  MergeVariablesSchema,
} from "../../mailings/api-schemas.ts";
import { createDraft, editDraft } from "../../mailings/drafts.ts";
import { mergeVariableMenu } from "../../mailings/merge-variable-menu.ts";
import { deleteMailing, getMailing, listMailings } from "../../mailings/store.ts";
import { MAILING_STATUSES, MAILING_TYPES } from "../../mailings/words.ts";
import { invalid } from "../../shared/errors.ts";
import { audit } from "../audit.ts";
import { caller } from "../auth.ts";
import { errorResponses, Id, IdParams, literals, NoContent, PageQuery, type RouteDeps } from "../schemas.ts";

/** A letter's body with an image that cannot be printed (too large, not PNG or JPEG) is refused before it is saved. */
function refuseBadLetterBody(content: string | null | undefined): void {
  if (!content) return;
  const { problems } = parseLetterBody(content);
  if (problems.length > 0)
    throw invalid(problems.map((message) => ({ field: "content", message, kind: "letter-image" as const })));
}

export const mailingRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    app.get(
      "/mailings",
      {
        schema: {
          tags,
          summary: "List mailings",
          querystring: Type.Object(
            {
              ...PageQuery,
              q: Type.Optional(Type.String({ maxLength: 200 })),
              status: Type.Optional(literals(MAILING_STATUSES)),
              type: Type.Optional(literals(MAILING_TYPES)),
              selectionId: Type.Optional(Id),
              projectId: Type.Optional(Id),
            },
            { additionalProperties: false },
          ),
          response: { 200: MailingPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listMailings(db, filter, { limit, offset });
      },
    );
    app.get(
      "/merge-variables",
      {
        schema: {
          tags,
          summary: "Merge fields for the insert menu (with formId: that form's fields too)",
          querystring: MergeVariablesQuerySchema,
          response: { 200: MergeVariablesSchema, ...errorResponses },
        },
      },
      async (request) => mergeVariableMenu(db, request.query.formId),
    );
    app.post(
      "/mailings",
      {
        schema: {
          tags,
          summary: "Create a draft mailing (Setup)",
          body: MailingInputSchema,
          response: { 201: MailingSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        if (request.body.type === "document") refuseBadLetterBody(request.body.content);
        const { actor, user } = caller(request);
        const created = await createDraft(db, { actor, userId: user.id }, request.body);
        if (created.options.overrideConsent)
          await audit(db, request, {
            action: "mailing.consent-override",
            target: { type: "mailing", id: created.id },
            detail: { overrideConsent: true, name: created.name },
          });
        return reply.status(201).send(created);
      },
    );
    app.get(
      "/mailings/:id",
      {
        schema: {
          tags,
          summary: "A mailing with its five steps and every problem that blocks sending",
          params: IdParams,
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => getMailing(db, request.params.id),
    );
    app.patch(
      "/mailings/:id",
      {
        schema: {
          tags,
          summary: "Edit a draft or scheduled mailing; unknown merge fields are warnings here",
          params: IdParams,
          body: MailingInputSchema,
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => {
        if (request.body.content && (await getMailing(db, request.params.id)).type === "document")
          refuseBadLetterBody(request.body.content);
        const asked = request.body.options?.overrideConsent;
        const before = asked === undefined ? null : await getMailing(db, request.params.id);
        const updated = await editDraft(db, caller(request).actor, request.params.id, request.body);
        if (before && before.options.overrideConsent !== updated.options.overrideConsent)
          await audit(db, request, {
            action: "mailing.consent-override",
            target: { type: "mailing", id: updated.id },
            detail: { overrideConsent: updated.options.overrideConsent, name: updated.name },
          });
        return updated;
      },
    );
    app.put(
      "/mailings/:id/dismissed-warnings",
      {
        schema: {
          tags,
          summary: "Dismiss one of the mailing's accessibility warnings, or bring it back",
          description:
            "The warning stays listed with dismissed: true. Only a key among the mailing's current warnings can be dismissed.",
          params: IdParams,
          body: DismissWarningSchema,
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => dismissWarning(db, request.params.id, request.body, caller(request).user.id),
    );
    app.delete(
      "/mailings/:id",
      {
        schema: {
          tags,
          summary: "Delete a draft or cancelled mailing",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteMailing(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      "/mailings/:id/copy",
      {
        schema: {
          tags,
          summary: "Start a new draft from this mailing",
          params: IdParams,
          response: { 201: MailingSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await getMailing(db, await copyMailing(db, request.params.id, caller(request).user.id))),
    );
  };
