// The visual editor's API shapes: the image library and the saved blocks. Imports only typebox and
// shared/schemas.ts, so the web UI's compiler reads it too.
import Type, { type Static } from "typebox";
import { Id } from "../shared/schemas.ts";

export const ImageSchema = Type.Object({
  id: Id,
  fileName: Type.String({ description: "`<sha-256, 32 hex>.<ext>` of the stored bytes" }),
  originalName: Type.String(),
  contentType: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  size: Type.Integer({ description: "bytes, as stored (re-encoded, metadata stripped)" }),
  url: Type.String({ description: "The public address, served without sign-in" }),
  uploadedBy: Type.Union([Type.String(), Type.Null()], {
    description: "The uploader's name; null when the user is gone",
  }),
  createdAt: Type.String({ description: "UTC, ISO 8601" }),
});
export const ImageListSchema = Type.Object({ items: Type.Array(ImageSchema) });
export const ImageUsesSchema = Type.Object({
  mailings: Type.Array(Type.Object({ id: Id, name: Type.String(), status: Type.String() })),
  templates: Type.Array(Type.Object({ id: Id, name: Type.String() })),
});

export const SavedBlockSchema = Type.Object({
  id: Id,
  name: Type.String(),
  mjml: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()], {
    description: "The name of the user who saved it; null when the user is gone",
  }),
  createdAt: Type.String({ description: "UTC, ISO 8601" }),
  updatedAt: Type.String({ description: "UTC, ISO 8601" }),
});
export const SavedBlockListSchema = Type.Object({ items: Type.Array(SavedBlockSchema) });
export const SavedBlockInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    mjml: Type.String({ minLength: 1, maxLength: 200_000, description: "One or more mj-section elements" }),
  },
  { additionalProperties: false },
);

export const SavedBlockRenameSchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export type LibraryImage = Static<typeof ImageSchema>;
export type SavedBlock = Static<typeof SavedBlockSchema>;
export type ImageUses = Static<typeof ImageUsesSchema>;
