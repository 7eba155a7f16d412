// The visual editor's image library (/api/images, and /img/<file> for everyone) and saved blocks (/api/saved-blocks).

import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import Type from "typebox";
import {
  ImageListSchema,
  ImageSchema,
  ImageUsesSchema,
  SavedBlockInputSchema,
  SavedBlockListSchema,
  SavedBlockRenameSchema,
  SavedBlockSchema,
} from "../../editor/api-schemas.ts";
import {
  addImage,
  deleteImage,
  IMAGE_UPLOAD_LIMIT,
  imageFile,
  imageUses,
  listImages,
} from "../../editor/images.ts";
import { deleteSavedBlock, listSavedBlocks, renameSavedBlock, saveBlock } from "../../editor/saved-blocks.ts";
import { invalid } from "../../shared/errors.ts";
import { audit } from "../audit.ts";
import { errorResponses, IdParams, NoContent, type RouteDeps } from "../schemas.ts";

export const editorRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const publicUrl = deps.send.publicUrl;
    const tags = ["editor"];
    app.get(
      "/images",
      {
        schema: {
          tags,
          summary: "The image library, newest first",
          response: { 200: ImageListSchema, ...errorResponses },
        },
      },
      async () => ({ items: await listImages(db, publicUrl) }),
    );
    app.register(async (plain) => {
      const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
      // The file is the body, whatever type it claims: the library reads the bytes, not the header.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        "*",
        { parseAs: "buffer", bodyLimit: IMAGE_UPLOAD_LIMIT + 1024 },
        (_request, body, done) => done(null, body),
      );
      scope.post(
        "/images",
        {
          bodyLimit: IMAGE_UPLOAD_LIMIT + 1024,
          schema: {
            tags,
            summary:
              "Upload an image (JPEG, PNG, GIF or WebP, ≤ 5 MB): the file is the raw body, its name in ?filename=. It is re-encoded without metadata (EXIF, GPS) and served from /img/<hash>.<ext>; the same picture again answers 200 with the one stored.",
            querystring: Type.Object(
              { filename: Type.String({ minLength: 1, maxLength: 200 }) },
              { additionalProperties: false },
            ),
            response: { 200: ImageSchema, 201: ImageSchema, ...errorResponses },
          },
        },
        async (request, reply) => {
          const body = request.body;
          if (!Buffer.isBuffer(body))
            throw invalid([
              { field: "body", message: "send the image as the request body", kind: "needs-body" },
            ]);
          const { image, created } = await addImage(db, publicUrl, {
            data: body,
            originalName: request.query.filename,
            userId: request.auth?.user.id ?? null,
          });
          if (created)
            await audit(db, request, {
              action: "image.uploaded",
              target: { type: "image", id: image.id },
              detail: { fileName: image.fileName, originalName: image.originalName, size: image.size },
            });
          return reply.status(created ? 201 : 200).send(image);
        },
      );
    });
    app.get(
      "/images/:id/uses",
      {
        schema: {
          tags,
          summary:
            "The mailings and saved templates whose content shows the image (what a delete would leave without it)",
          params: IdParams,
          response: { 200: ImageUsesSchema, ...errorResponses },
        },
      },
      async (request) => imageUses(db, request.params.id),
    );
    app.delete(
      "/images/:id",
      {
        schema: {
          tags,
          summary: "Remove an image from the library (messages already sent lose the picture)",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { fileName } = await deleteImage(db, request.params.id);
        await audit(db, request, {
          action: "image.deleted",
          target: { type: "image", id: request.params.id },
          detail: { fileName },
        });
        return reply.status(204).send(null);
      },
    );

    app.get(
      "/saved-blocks",
      {
        schema: {
          tags,
          summary: "Saved blocks (a header, a footer…), shared by every user of the editor",
          response: { 200: SavedBlockListSchema, ...errorResponses },
        },
      },
      async () => ({ items: await listSavedBlocks(db) }),
    );
    app.post(
      "/saved-blocks",
      {
        schema: {
          tags,
          summary: "Save a block",
          body: SavedBlockInputSchema,
          response: { 201: SavedBlockSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await saveBlock(db, request.body, request.auth?.user.id ?? null)),
    );
    app.patch(
      "/saved-blocks/:id",
      {
        schema: {
          tags,
          summary: "Rename a saved block",
          params: IdParams,
          body: SavedBlockRenameSchema,
          response: { 200: SavedBlockSchema, ...errorResponses },
        },
      },
      async (request) => renameSavedBlock(db, request.params.id, request.body.name),
    );
    app.delete(
      "/saved-blocks/:id",
      {
        schema: {
          tags,
          summary: "Delete a saved block",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteSavedBlock(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };

/** The library's images for everyone (mail programs load them): immutable, since the name is the content's hash. */
export const imageFileRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    app.get("/img/:file", { schema: { hide: true } }, async (request, reply) => {
      const name = String((request.params as { file?: string }).file ?? "").slice(0, 100);
      const file = await imageFile(deps.db, name);
      if (!file)
        return reply.status(404).send({
          error: {
            code: "NOT_FOUND",
            message: `image ${name} does not exist`,
            details: { resource: "image" },
          },
        });
      return reply
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'")
        .type(file.contentType)
        .send(file.data);
    });
  };
