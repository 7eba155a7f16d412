// /api/mailings: the five steps, recipients, preview and test, the lifecycle, progress and deliveries.
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Type, { type TSchema } from "typebox";
import { BLOCK_REASONS } from "../../db/block-reasons.ts";
import {
  applyAction,
  copyMailing,
  listDeliveries,
  mailingProgress,
  markDeliverySent,
  scheduleMailing,
  sendDeliveryAgain,
} from "../../mailings/actions.ts";
import { createDraft, editDraft } from "../../mailings/drafts.ts";
import { mergeVariableMenu } from "../../mailings/merge-variable-menu.ts";
import {
  addRecipientSource,
  recipientsOf,
  refreshRecipients,
  removeRecipientSource,
  sourcesOf,
} from "../../mailings/recipient-sources.ts";
import { deleteMailing, GOAL_CATEGORIES, getMailing, listMailings } from "../../mailings/store.ts";
import {
  addAttachment,
  applyTemplate,
  createTemplate,
  deleteAttachment,
  deleteTemplate,
  getTemplate,
  listAttachments,
  listTemplates,
  saveAsTemplate,
} from "../../mailings/templates.ts";
import { beginSending } from "../../send/planner.ts";
import { emptyVariableReport, previewRecipient, sendTest } from "../../send/preview.ts";
import { invalid } from "../../shared/errors.ts";
import { caller } from "../auth.ts";
import {
  errorResponses,
  IdParams,
  literals,
  NoContent,
  Nullable,
  PageQuery,
  type RouteDeps,
} from "../schemas.ts";

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Text = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));
const STATUSES = ["draft", "scheduled", "sending", "paused", "finished", "cancelled"] as const;

const MailingInputSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(literals(["email", "sms", "document", "form"] as const)),
    sendingAccountId: Type.Optional(Nullable(Id)),
    goalText: Text(1000),
    goalCategory: Type.Optional(Nullable(literals(GOAL_CATEGORIES))),
    folder: Text(200),
    selectionId: Type.Optional(Nullable(Id)),
    projectId: Type.Optional(Nullable(Id)),
    subscriptionTypeId: Type.Optional(Nullable(Id)),
    subject: Text(500),
    fromName: Text(200),
    fromAddress: Text(254),
    fromMode: Type.Optional(literals(["fixed", "our-contact"] as const)),
    replyTo: Text(254),
    contentFormat: Type.Optional(literals(["html", "mjml"] as const)),
    content: Text(2_000_000),
    textContent: Text(500_000),
    trackLinks: Type.Optional(literals(["all", "registered", "none"] as const)),
    trackOpens: Type.Optional(Type.Boolean()),
    utmSource: Text(100),
    utmCampaign: Text(100),
    options: Type.Optional(
      Type.Object(
        {
          overrideConsent: Type.Optional(Type.Boolean()),
          onePerAddress: Type.Optional(Type.Boolean()),
          refreshOnSend: Type.Optional(Type.Boolean()),
          includeCompanies: Type.Optional(Type.Boolean()),
          preferCompany: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const MailingSchema: TSchema = Type.Object(
  {},
  { additionalProperties: true, description: "A mailing with its steps, problems and recipient counts" },
);

export const mailingRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    const send = { access: "send" as const };
    // Read when used: the public address is known only once the server listens.
    const previewDeps = () => ({ db, publicUrl: deps.send.publicUrl, keys: deps.send.keys });

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
              status: Type.Optional(literals(STATUSES)),
              selectionId: Type.Optional(Id),
              projectId: Type.Optional(Id),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listMailings(db, filter, { limit, offset });
      },
    );
    app.get("/merge-variables", { schema: { tags, summary: "Merge fields for the insert menu" } }, async () =>
      mergeVariableMenu(db),
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
        const { actor, user } = caller(request);
        return reply.status(201).send(await createDraft(db, { actor, userId: user.id }, request.body));
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
      async (request) => editDraft(db, caller(request).actor, request.params.id, request.body),
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

    // Recipients (step 4)
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

    // Preview and test (SPEC §6)
    app.get(
      "/mailings/:id/preview",
      {
        schema: {
          tags,
          summary: "The message as one recipient would see it (HTML sanitised for display)",
          params: IdParams,
          querystring: Type.Object({ recipientId: Type.Optional(Id) }, { additionalProperties: false }),
        },
      },
      async (request) => previewRecipient(previewDeps(), request.params.id, request.query.recipientId),
    );
    app.get(
      "/mailings/:id/empty-variables",
      {
        schema: {
          tags,
          summary: "Merge fields that are empty for some recipients, with who",
          params: IdParams,
        },
      },
      async (request) => emptyVariableReport(db, request.params.id),
    );
    app.post(
      "/mailings/:id/test",
      {
        config: send,
        schema: {
          tags,
          summary:
            "Send a test to ;-separated addresses; the subject is marked [TEST] and nothing is counted",
          params: IdParams,
          body: Type.Object(
            { addresses: Type.String({ minLength: 3, maxLength: 5000 }), recipientId: Type.Optional(Id) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) =>
        sendTest(previewDeps(), request.params.id, request.body.addresses, request.body.recipientId),
    );

    // Lifecycle
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
      async (request) => scheduleMailing(db, request.params.id, request.body),
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
      { schema: { tags, summary: "Sent of total, rate and time left", params: IdParams } },
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
              status: Type.Optional(
                literals([
                  "pending",
                  "claimed",
                  "sending",
                  "sent",
                  "failed",
                  "bounced",
                  "complained",
                  "unknown",
                  "cancelled",
                ] as const),
              ),
            },
            { additionalProperties: false },
          ),
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
        },
      },
      async (request) => ({ deliveryId: await sendDeliveryAgain(db, request.params.id) }),
    );

    // Templates and attachments
    app.get("/templates", { schema: { tags, summary: "Saved templates" } }, async () => ({
      items: await listTemplates(db),
    }));
    app.get(
      "/templates/:id",
      { schema: { tags, summary: "One template", params: IdParams } },
      async (request) => getTemplate(db, request.params.id),
    );
    const TemplateBody = Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        subject: Text(500),
        contentFormat: literals(["html", "mjml"] as const),
        content: Type.String({ maxLength: 2_000_000 }),
        textContent: Text(500_000),
      },
      { additionalProperties: false },
    );
    app.post(
      "/templates",
      {
        schema: {
          tags,
          summary: "Save a template",
          body: TemplateBody,
          response: { 201: Type.Object({}, { additionalProperties: true }), ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createTemplate(db, request.body)),
    );
    app.delete(
      "/templates/:id",
      {
        schema: {
          tags,
          summary: "Delete a template",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteTemplate(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      "/mailings/:id/save-as-template",
      {
        schema: {
          tags,
          summary: "Copy the mailing's content to a new template",
          params: IdParams,
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 200 }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) =>
        reply.status(201).send(await saveAsTemplate(db, request.params.id, request.body.name)),
    );
    app.post(
      "/mailings/:id/apply-template",
      {
        schema: {
          tags,
          summary: "Start the content from a template",
          params: IdParams,
          body: Type.Object({ templateId: Id }, { additionalProperties: false }),
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => applyTemplate(db, request.params.id, request.body.templateId),
    );
    app.get(
      "/mailings/:id/attachments",
      { schema: { tags, summary: "Attachments", params: IdParams } },
      async (request) => {
        await getMailing(db, request.params.id);
        return listAttachments(db, request.params.id);
      },
    );
    app.register(async (plain) => {
      const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
      // Any file type is a file here, text/plain and JSON too: Fastify's own parsers must not read it.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        "*",
        { parseAs: "buffer", bodyLimit: 26 * 1024 * 1024 },
        (_request, body, done) => done(null, body),
      );
      scope.post(
        "/mailings/:id/attachments",
        {
          bodyLimit: 26 * 1024 * 1024,
          schema: {
            tags,
            summary: "Upload an attachment: the file is the raw body, its name in ?filename=",
            params: IdParams,
            querystring: Type.Object(
              { filename: Type.String({ minLength: 1, maxLength: 200 }) },
              { additionalProperties: false },
            ),
          },
        },
        async (request, reply) => {
          const body = request.body;
          if (!Buffer.isBuffer(body))
            throw invalid([{ field: "body", message: "send the file as the request body" }]);
          const contentType = (request.headers["content-type"] ?? "application/octet-stream")
            .split(";")[0]!
            .trim();
          return reply.status(201).send(
            await addAttachment(db, request.params.id, {
              filename: request.query.filename,
              contentType,
              data: body,
            }),
          );
        },
      );
    });
    app.delete(
      "/mailings/:id/attachments/:attachmentId",
      {
        schema: {
          tags,
          summary: "Remove an attachment",
          params: Type.Object({ id: Id, attachmentId: Id }),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteAttachment(db, request.params.id, request.params.attachmentId);
        return reply.status(204).send(null);
      },
    );
  };
