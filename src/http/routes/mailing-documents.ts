// Document mailings (SPEC §13): the letterhead, the Word template (starter, upload, download), one recipient's letter
// as a preview, the generated document's state and file, and "edit again" after generating.
import { PassThrough } from "node:stream";
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { starterTemplate } from "../../documents/docx-template.ts";
import {
  DOCX_TYPE,
  documentState,
  editAgain,
  openDocument,
  previewLetter,
  readyDocument,
  templateFile,
  uploadTemplate,
} from "../../documents/store.ts";
import { MailingSchema } from "../../mailings/api-schemas.ts";
import { getMailing } from "../../mailings/store.ts";
import { readLetterhead, writeLetterhead } from "../../settings/letterhead.ts";
import { invalid } from "../../shared/errors.ts";
import { audit } from "../audit.ts";
import { errorResponses, Id, IdParams, literals, Nullable, type RouteDeps } from "../schemas.ts";

const LetterheadSchema = Type.Object({
  companyName: Type.String({ maxLength: 200 }),
  addressLines: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 6 }),
  country: Type.String({
    minLength: 2,
    maxLength: 2,
    description: "ISO code; recipients here get no country line",
  }),
  orgNumber: Nullable(Type.String({ maxLength: 50 })),
  phone: Nullable(Type.String({ maxLength: 50 })),
  web: Nullable(Type.String({ maxLength: 200 })),
  logo: Nullable(
    Type.Object({ contentType: literals(["image/png", "image/jpeg"] as const), base64: Type.String() }),
  ),
  brandColor: Nullable(
    Type.String({
      description: "#rrggbb (lower case): the hosted form page's button, heading accent and focus ring",
    }),
  ),
});

const LetterheadInputSchema = Type.Object(
  {
    companyName: Type.Optional(Type.String({ maxLength: 200 })),
    addressLines: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 6 })),
    country: Type.Optional(Type.String({ pattern: "^[A-Za-z]{2}$" })),
    orgNumber: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    web: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    logoBase64: Type.Optional(
      Nullable(
        Type.String({ maxLength: 1_500_000, description: "A PNG or JPEG of at most 1 MB; null removes it" }),
      ),
    ),
    brandColor: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 50,
          description:
            "#rrggbb; the text on it is chosen (white or black) for contrast, not stored; null returns to the default blue",
        }),
      ),
    ),
  },
  { additionalProperties: false },
);

export const DocumentStateSchema = Type.Object(
  {
    status: literals(["generating", "ready", "failed"] as const),
    format: Nullable(literals(["pdf", "docx"] as const)),
    letters: Type.Integer(),
    lettersDone: Type.Integer(),
    pages: Nullable(Type.Integer()),
    bytes: Nullable(Type.Integer()),
    note: Nullable(Type.String({ description: "Why the result is a DOCX (LibreOffice missing)" })),
    error: Nullable(Type.String({ description: "Why the last run stopped; the mailing is paused" })),
    warnings: Type.Array(
      Type.Object({
        deliveryId: Type.Integer(),
        warnings: Type.Array(Type.Object({ kind: Type.String() }, { additionalProperties: true })),
      }),
      { description: "Address lines shortened or dropped to fit the envelope window" },
    ),
    createdAt: Type.String(),
    finishedAt: Nullable(Type.String()),
  },
  { description: "A document mailing's newest generated document" },
);

const TemplateCheckSchema = Type.Object({
  variables: Type.Array(Type.String()),
  unknownVariables: Type.Array(Type.String(), { description: "Blocking at Confirm until fixed" }),
  mailing: MailingSchema,
});

const letterheadOut = async (deps: RouteDeps) => {
  const l = await readLetterhead(deps.db);
  return {
    ...l,
    logo: l.logo ? { contentType: l.logo.contentType, base64: l.logo.data.toString("base64") } : null,
  };
};

export const mailingDocumentRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["documents"];
    app.get(
      "/settings/letterhead",
      {
        schema: {
          tags,
          summary: "The company letterhead on composed letters and hosted form pages",
          response: { 200: LetterheadSchema },
        },
      },
      async () => letterheadOut(deps),
    );
    app.put(
      "/settings/letterhead",
      {
        config: { access: "manageSettings" },
        bodyLimit: 2 * 1024 * 1024,
        schema: {
          tags,
          summary: "Change the letterhead (admin)",
          body: LetterheadInputSchema,
          response: { 200: LetterheadSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { logoBase64, ...fields } = request.body;
        await writeLetterhead(db, {
          ...fields,
          ...(fields.country ? { country: fields.country.toUpperCase() } : {}),
          ...(logoBase64 !== undefined ? { logoBase64 } : {}),
        });
        await audit(db, request, {
          action: "settings.changed",
          target: { type: "settings", id: "letterhead" },
          detail: { changed: Object.keys(request.body) },
        });
        return letterheadOut(deps);
      },
    );
    app.get(
      "/documents/starter-template",
      {
        schema: {
          tags,
          summary:
            "A Word template to start from (DOCX with merge fields, the address block placed for the window)",
          querystring: Type.Object({ language: literals(["nb", "en"] as const, { default: "nb" }) }),
        },
      },
      async (request, reply) =>
        reply
          .type(DOCX_TYPE)
          .header(
            "content-disposition",
            `attachment; filename="utsend-letter-${request.query.language}.docx"`,
          )
          .send(await starterTemplate(request.query.language)),
    );
    app.get(
      "/mailings/:id/document-template",
      { schema: { tags, summary: "The uploaded Word template", params: IdParams } },
      async (request, reply) => {
        const file = await templateFile(db, request.params.id);
        return reply
          .type(DOCX_TYPE)
          .header("content-disposition", `attachment; filename="${file.name.replace(/[^\w.\- ]/g, "_")}"`)
          .send(file.data);
      },
    );
    app.register(async (plain) => {
      const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
      // The DOCX is the raw body, whatever type the browser names it.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 20 * 1024 * 1024 }, (_r, body, done) =>
        done(null, body),
      );
      scope.put(
        "/mailings/:id/document-template",
        {
          bodyLimit: 20 * 1024 * 1024,
          schema: {
            tags,
            summary: "Upload the Word template (the DOCX is the raw body; its name in ?fileName=)",
            description:
              "The file is read through before anything is stored: not a DOCX, a zip bomb, an image over 10 MB, or a merge field that never closes is refused (DOCUMENT_TEMPLATE_INVALID). Unknown merge fields are reported and block Confirm.",
            params: IdParams,
            querystring: Type.Object(
              { fileName: Type.String({ minLength: 1, maxLength: 200, default: "template.docx" }) },
              { additionalProperties: false },
            ),
            response: { 200: TemplateCheckSchema, ...errorResponses },
          },
        },
        async (request) => {
          if (!Buffer.isBuffer(request.body) || request.body.length === 0)
            throw invalid([
              { field: "body", message: "send the DOCX file as the request body", kind: "needs-body" },
            ]);
          const found = await uploadTemplate(db, request.params.id, request.query.fileName, request.body);
          return { ...found, mailing: await getMailing(db, request.params.id) };
        },
      );
    });
    app.get(
      "/mailings/:id/document/preview",
      {
        schema: {
          tags,
          summary:
            "One recipient's letter as the document will hold it (PDF; DOCX for a Word template without LibreOffice)",
          params: IdParams,
          querystring: Type.Object({ recipientId: Id }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on("data", (c: Buffer) => chunks.push(c));
        const { format } = await previewLetter(db, request.params.id, request.query.recipientId, out);
        return reply
          .type(format === "pdf" ? "application/pdf" : DOCX_TYPE)
          .header("content-disposition", `inline; filename="letter-${request.query.recipientId}.${format}"`)
          .header("cache-control", "no-store")
          .send(Buffer.concat(chunks));
      },
    );
    app.get(
      "/mailings/:id/document",
      {
        schema: {
          tags,
          summary:
            "The newest generated document: progress, pages, size, warnings (null before the first Send)",
          params: IdParams,
          response: { 200: Nullable(DocumentStateSchema), ...errorResponses },
        },
      },
      async (request) => documentState(db, request.params.id),
    );
    app.get(
      "/mailings/:id/document/file",
      {
        config: { access: "export" },
        schema: {
          tags,
          summary: "Download the generated document (only a finished one; never a file still being written)",
          params: IdParams,
        },
      },
      async (request, reply) => {
        const file = await readyDocument(db, deps.config.dataDir, request.params.id);
        await audit(db, request, {
          action: "export.document",
          target: { type: "mailing", id: String(request.params.id) },
          detail: { bytes: file.bytes },
        });
        return reply
          .type(file.format === "pdf" ? "application/pdf" : DOCX_TYPE)
          .header("content-length", file.bytes)
          .header("content-disposition", `attachment; filename="${file.fileName}"`)
          .send(openDocument(file.path));
      },
    );
    app.post(
      "/mailings/:id/edit-again",
      {
        config: { access: "send" },
        schema: {
          tags,
          summary: "A generated document mailing back to draft, to edit and generate again",
          params: IdParams,
          response: { 200: MailingSchema, ...errorResponses },
        },
      },
      async (request) => {
        await editAgain(db, request.params.id);
        return getMailing(db, request.params.id);
      },
    );
  };
