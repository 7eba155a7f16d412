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
  createdAt: Type.String({ description: "UTC, ISO 8601" }),
});
export const ImageListSchema = Type.Object({ items: Type.Array(ImageSchema) });

export const SavedBlockSchema = Type.Object({
  id: Id,
  name: Type.String(),
  mjml: Type.String(),
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

export type LibraryImage = Static<typeof ImageSchema>;
export type SavedBlock = Static<typeof SavedBlockSchema>;
