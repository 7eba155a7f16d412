// /api/templates, the starter templates, and a mailing's save-as-template, apply-template and apply-starter.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  MailingSchema,
  StarterKeyParams,
  StarterTemplateListSchema,
  StarterTemplateSchema,
  TEMPLATE_TYPES,
  TemplateInputSchema,
  TemplateListSchema,
  TemplateSchema,
} from "../../mailings/api-schemas.ts";
import {
  applyStarter,
  applyTemplate,
  copyStarter,
  createTemplate,
  deleteTemplate,
  getStarter,
  getTemplate,
  listStarters,
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
    app.get(
      "/starter-templates",
      {
        schema: {
          tags,
          summary: "The starter templates: six kinds of e-mail in Norwegian and English (MJML)",
          querystring: Type.Object(
            {
              language: Type.Optional(literals(["nb", "en"] as const, { description: "only this language" })),
            },
            { additionalProperties: false },
          ),
          response: { 200: StarterTemplateListSchema, ...errorResponses },
        },
      },
      async (request) => ({ items: listStarters(request.query.language) }),
    );
    app.get(
      "/starter-templates/:key",
      {
        schema: {
          tags,
          summary: "One starter template with its MJML",
          params: StarterKeyParams,
          response: { 200: StarterTemplateSchema, ...errorResponses },
        },
      },
      async (request) => getStarter(request.params.key),
    );
    app.post(
      "/starter-templates/:key/copy",
      {
        schema: {
          tags,
          summary: "Copy a starter template to a saved template of your own",
          params: StarterKeyParams,
          body: Type.Object(
            {
              name: Type.Optional(
                Type.String({ maxLength: 200, description: "the starter's name unless given" }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 201: TemplateSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await copyStarter(db, request.params.key, request.body.name)),
    );
    app.post(
      "/mailings/:id/apply-starter",
      {
        schema: {
          tags,
          summary: "Start the content from a starter template (and the subject, when the mailing has none)",
          params: IdParams,
          body: Type.Object(
            { key: Type.String({ minLength: 1, maxLength: 60, description: "e.g. newsletter-nb" }) },
            { additionalProperties: false },
          ),
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => applyStarter(db, request.params.id, request.body.key),
    );
  };
