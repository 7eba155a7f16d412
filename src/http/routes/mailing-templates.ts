// /api/templates and a mailing's save-as-template and apply-template.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  MailingSchema,
  TEMPLATE_TYPES,
  TemplateInputSchema,
  TemplateListSchema,
  TemplateSchema,
} from "../../mailings/api-schemas.ts";
import {
  applyTemplate,
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  saveAsTemplate,
} from "../../mailings/templates.ts";
import { errorResponses, Id, IdParams, literals, NoContent, type RouteDeps } from "../schemas.ts";

export const mailingTemplateRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    app.get(
      "/templates",
      {
        schema: {
          tags,
          summary: "Saved templates",
          querystring: Type.Object(
            { type: Type.Optional(literals(TEMPLATE_TYPES, { description: "only templates of this type" })) },
            { additionalProperties: false },
          ),
          response: { 200: TemplateListSchema, ...errorResponses },
        },
      },
      async (request) => ({ items: await listTemplates(db, request.query.type) }),
    );
    app.get(
      "/templates/:id",
      {
        schema: {
          tags,
          summary: "One template",
          params: IdParams,
          response: { 200: TemplateSchema, ...errorResponses },
        },
      },
      async (request) => getTemplate(db, request.params.id),
    );
    app.post(
      "/templates",
      {
        schema: {
          tags,
          summary: "Save a template",
          body: TemplateInputSchema,
          response: { 201: TemplateSchema, ...errorResponses },
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
          response: { 201: TemplateSchema, ...errorResponses },
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
  };
