// /api/forms: forms, their publishing, statistics and submissions (SPEC §9). The public hosted page is form-pages.ts.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { honeypotName } from "../../forms/abuse.ts";
import {
  Form,
  FormCreate,
  FormList,
  FormPreviewInput,
  FormStatistics,
  FormUpdate,
  SubmissionDetail,
  SubmissionList,
  SubmissionQuery,
} from "../../forms/api-schemas.ts";
import type { FormDefinition } from "../../forms/definition.ts";
import { embedSnippets, hostedUrl } from "../../forms/embed.ts";
import { EXPORT_CONTENT_TYPES, exportSubmissions } from "../../forms/export.ts";
import { formMarkup } from "../../forms/form-markup.ts";
import { submissionDetail } from "../../forms/manual.ts";
import {
  createForm,
  deleteForm,
  type FormRecord,
  getForm,
  listForms,
  publishForm,
  unpublishForm,
  updateForm,
} from "../../forms/store.ts";
import { formStatistics, listSubmissions } from "../../forms/submissions.ts";
import { audit } from "../audit.ts";
import { caller } from "../auth.ts";
import { errorResponses, Id, IdParams, literals, NoContent, type RouteDeps } from "../schemas.ts";

export const formRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["forms"];
    const present = (form: FormRecord) => ({
      ...form,
      hostedUrl: hostedUrl(deps.send.publicUrl, form.slug),
      embed: embedSnippets(deps.send.publicUrl, form.slug, form.name),
    });
    const one = { 200: Form, ...errorResponses };

    app.get("/forms", { schema: { tags, summary: "List forms", response: { 200: FormList } } }, async () => ({
      forms: await listForms(db),
    }));
    app.post(
      "/forms",
      {
        schema: {
          tags,
          summary: "Create a form (a draft; the slug comes from the name when absent)",
          body: FormCreate,
          response: { 201: Form, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.status(201).send(present(await createForm(db, request.body, caller(request).user.id))),
    );
    app.post(
      "/forms/preview",
      {
        schema: {
          tags,
          summary: "The hosted page's form markup for a draft definition (the builder's live preview)",
          body: FormPreviewInput,
          response: { 200: Type.Object({ html: Type.String() }), ...errorResponses },
        },
      },
      async (request) => {
        const fields = (request.body.definition as FormDefinition).fields;
        const html = formMarkup({
          language: request.body.language,
          fields,
          values: {},
          problems: [],
          honeypot: honeypotName(fields),
        });
        return { html };
      },
    );
    app.get(
      "/forms/:id",
      { schema: { tags, summary: "One form", params: IdParams, response: one } },
      async (request) => present(await getForm(db, request.params.id)),
    );
    app.put(
      "/forms/:id",
      {
        schema: {
          tags,
          summary: "Change a form's settings or draft definition (visitors see it after the next publish)",
          params: IdParams,
          body: FormUpdate,
          response: one,
        },
      },
      async (request) =>
        present(await updateForm(db, request.params.id, request.body as Parameters<typeof updateForm>[2])),
    );
    app.post(
      "/forms/:id/publish",
      {
        schema: { tags, summary: "Publish the draft as the next version", params: IdParams, response: one },
      },
      async (request) => present(await publishForm(db, request.params.id)),
    );
    app.post(
      "/forms/:id/unpublish",
      { schema: { tags, summary: "Stop taking submissions", params: IdParams, response: one } },
      async (request) => present(await unpublishForm(db, request.params.id)),
    );
    app.delete(
      "/forms/:id",
      {
        schema: {
          tags,
          summary: "Delete a form that has no submissions (FORM_HAS_SUBMISSIONS otherwise: unpublish it)",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteForm(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      "/forms/:id/statistics",
      {
        schema: {
          tags,
          summary: "Views, submissions by status, conversion, a day-by-day series and refusals by reason",
          params: IdParams,
          response: { 200: FormStatistics, ...errorResponses },
        },
      },
      async (request) => {
        await getForm(db, request.params.id);
        return formStatistics(db, request.params.id);
      },
    );
    app.get(
      "/forms/:id/submissions",
      {
        schema: {
          tags,
          summary: "Submissions, newest first (keyset paging: pass nextAfter as after)",
          params: IdParams,
          querystring: SubmissionQuery,
          response: { 200: SubmissionList, ...errorResponses },
        },
      },
      async (request) => {
        await getForm(db, request.params.id);
        const { after, limit, ...filter } = request.query;
        return listSubmissions(db, request.params.id, filter, { after, limit });
      },
    );
    app.get(
      "/forms/:id/submissions/export",
      {
        config: { access: "export" },
        schema: {
          tags,
          summary: "Every submission as CSV or XLSX, streamed: one column per field of the latest version",
          params: IdParams,
          querystring: Type.Object(
            { format: literals(["csv", "xlsx"] as const, { default: "csv" }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { format } = request.query;
        const { stream, slug, name, rows } = await exportSubmissions(db, request.params.id, format);
        // Submissions are personal data: who took which form's answers out, in which format, how many.
        await audit(db, request, {
          action: "export.form-submissions",
          target: { type: "form", id: request.params.id },
          detail: { form: name, format, rows },
        });
        const day = new Date().toISOString().slice(0, 10);
        return reply
          .header("content-type", EXPORT_CONTENT_TYPES[format])
          .header("content-disposition", `attachment; filename="form-${slug}-${day}.${format}"`)
          .header("cache-control", "no-store")
          .send(stream);
      },
    );
    app.get(
      "/forms/:id/submissions/:sid",
      {
        schema: {
          tags,
          summary: "One submission with its version's fields",
          params: Type.Object({ id: Id, sid: Id }),
          response: { 200: SubmissionDetail, ...errorResponses },
        },
      },
      async (request) =>
        submissionDetail(db, request.params.id, request.params.sid, deps.config.defaultCountry),
    );
  };
