// /api/mailings/:id/attachments: files sent along with every message (≤ 25 MB together).
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AttachmentListSchema, AttachmentSchema } from "../../mailings/api-schemas.ts";
import { getMailing } from "../../mailings/store.ts";
import { addAttachment, deleteAttachment, listAttachments } from "../../mailings/templates.ts";
import { invalid } from "../../shared/errors.ts";
import { errorResponses, Id, IdParams, NoContent, type RouteDeps } from "../schemas.ts";

export const mailingAttachmentRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    app.get(
      "/mailings/:id/attachments",
      {
        schema: {
          tags,
          summary: "Attachments",
          params: IdParams,
          response: { 200: AttachmentListSchema, ...errorResponses },
        },
      },
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
            response: { 201: AttachmentSchema, ...errorResponses },
          },
        },
        async (request, reply) => {
          const body = request.body;
          if (!Buffer.isBuffer(body))
            throw invalid([
              { field: "body", message: "send the file as the request body", kind: "needs-body" },
            ]);
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
