// The image library of the visual e-mail editor: an upload is decoded and re-encoded by sharp (which drops EXIF, GPS and
// every other metadata, after turning the picture upright), stored once under the hash of its bytes, and served to
// anyone from `/img/<hash>.<ext>` so recipients' mail programs can load it.
import { createHash } from "node:crypto";
import sharp from "sharp";
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, notFound } from "../shared/errors.ts";

/** The largest upload taken, in bytes. */
export const IMAGE_UPLOAD_LIMIT = 5 * 1024 * 1024;
/** The most pixels decoded (a small file can claim a huge canvas: a decompression bomb). */
export const IMAGE_PIXEL_LIMIT = 40_000_000;
/** Wider pictures are scaled down: an e-mail is ≈ 600 px wide, twice that for sharp screens, with room to crop. */
export const IMAGE_MAX_WIDTH = 2000;

const FORMATS = {
  jpeg: { ext: "jpg", contentType: "image/jpeg" },
  png: { ext: "png", contentType: "image/png" },
  gif: { ext: "gif", contentType: "image/gif" },
  webp: { ext: "webp", contentType: "image/webp" },
} as const;
type Format = keyof typeof FORMATS;

export type LibraryImage = {
  id: number;
  fileName: string;
  originalName: string;
  contentType: string;
  width: number;
  height: number;
  size: number;
  url: string;
  /** The name of the user who uploaded it; null when uploaded with no user or the user is gone. */
  uploadedBy: string | null;
  createdAt: string;
};

type Row = {
  id: number;
  file_name: string;
  original_name: string;
  content_type: string;
  width: number;
  height: number;
  size: number;
  created_at: string;
  uploaded_by_name?: string | null;
};

const COLUMNS = [
  "id",
  "file_name",
  "original_name",
  "content_type",
  "width",
  "height",
  "size",
  "created_at",
] as const;

export function imageUrl(publicUrl: string, fileName: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/img/${fileName}`;
}

function toImage(r: Row, publicUrl: string): LibraryImage {
  return {
    id: r.id,
    fileName: r.file_name,
    originalName: r.original_name,
    contentType: r.content_type,
    width: r.width,
    height: r.height,
    size: r.size,
    url: imageUrl(publicUrl, r.file_name),
    uploadedBy: r.uploaded_by_name ?? null,
    createdAt: r.created_at,
  };
}

const refused = (message: string) => new AppError("IMAGE_INVALID", message, { field: "body" });

/** The picture re-encoded in its own format, without metadata: what the library stores. Throws IMAGE_INVALID. */
export async function cleanImage(
  data: Buffer,
): Promise<{ data: Buffer; format: Format; width: number; height: number }> {
  if (data.length === 0) throw refused("the file is empty");
  if (data.length > IMAGE_UPLOAD_LIMIT)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `an image may be ${IMAGE_UPLOAD_LIMIT / 1048576} MB; this one is ${(data.length / 1048576).toFixed(1)} MB`,
      { field: "body" },
    );
  const options = { limitInputPixels: IMAGE_PIXEL_LIMIT, animated: true, failOn: "error" as const };
  let format: string | undefined;
  try {
    format = (await sharp(data, options).metadata()).format;
  } catch (error) {
    throw refused(`not an image that can be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  // SVG can carry scripts and links, HEIC/TIFF/AVIF are not shown by every mail program.
  if (!format || !(format in FORMATS))
    throw refused(`${format ?? "this"} images are not taken: use JPEG, PNG, GIF or WebP`);
  const kind = format as Format;
  try {
    // rotate() turns the picture upright by its EXIF orientation before the metadata goes; no withMetadata(), so
    // nothing of EXIF, XMP, IPTC or ICC (beyond sRGB) is written.
    let pipeline = sharp(data, options).rotate();
    pipeline = pipeline.resize({ width: IMAGE_MAX_WIDTH, withoutEnlargement: true });
    if (kind === "jpeg") pipeline = pipeline.jpeg({ quality: 85, mozjpeg: true });
    else if (kind === "png") pipeline = pipeline.png({ compressionLevel: 9 });
    else if (kind === "gif") pipeline = pipeline.gif();
    else pipeline = pipeline.webp({ quality: 85 });
    const { data: out, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { data: out, format: kind, width: info.width, height: info.pageHeight ?? info.height };
  } catch (error) {
    throw refused(
      `the image could not be converted: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Cleans and stores an upload; the same picture uploaded again is the row already there (`created` false). The name
 * is the hash of the cleaned bytes, so a URL never shows other content than it first did.
 */
export async function addImage(
  db: Db,
  publicUrl: string,
  upload: { data: Buffer; originalName: string; userId: number | null },
): Promise<{ image: LibraryImage; created: boolean }> {
  const clean = await cleanImage(upload.data);
  const hash = createHash("sha256").update(clean.data).digest("hex").slice(0, 32);
  const fileName = `${hash}.${FORMATS[clean.format].ext}`;
  const existing = await findImage(db, fileName);
  if (existing) return { image: toImage(existing, publicUrl), created: false };
  const row = await db
    .insertInto("images")
    .values({
      file_name: fileName,
      original_name: upload.originalName.slice(0, 200),
      content_type: FORMATS[clean.format].contentType,
      width: clean.width,
      height: clean.height,
      size: clean.data.length,
      data: clean.data,
      uploaded_by: upload.userId,
      created_at: isoNow(),
    })
    .onConflict((c) => c.column("file_name").doNothing())
    .returning(COLUMNS)
    .executeTakeFirst();
  if (row) return { image: toImage((await findImage(db, fileName)) ?? row, publicUrl), created: true };
  // Uploaded at the same moment by someone else.
  const raced = await findImage(db, fileName);
  if (!raced) throw notFound("image", fileName);
  return { image: toImage(raced, publicUrl), created: false };
}

/** The images with their uploader's name. */
function withUploader(db: Db) {
  return db
    .selectFrom("images")
    .leftJoin("users", "users.id", "images.uploaded_by")
    .select(COLUMNS.map((c) => `images.${c}` as const))
    .select("users.name as uploaded_by_name");
}

function findImage(db: Db, fileName: string): Promise<Row | undefined> {
  return withUploader(db).where("images.file_name", "=", fileName).executeTakeFirst();
}

export async function listImages(db: Db, publicUrl: string): Promise<LibraryImage[]> {
  const rows = await withUploader(db).orderBy("images.id", "desc").execute();
  return rows.map((r) => toImage(r, publicUrl));
}

export type ImageUses = {
  mailings: Array<{ id: number; name: string; status: string }>;
  templates: Array<{ id: number; name: string }>;
};

/**
 * The mailings and saved templates whose content names the image's public file, so deleting it can say what would
 * lose the picture. A text search of the contents: one statement per table, for one image at a time.
 */
export async function imageUses(db: Db, id: number): Promise<ImageUses> {
  const image = await db.selectFrom("images").select("file_name").where("id", "=", id).executeTakeFirst();
  if (!image) throw notFound("image", id);
  // The name is hex and an extension: nothing in it is a LIKE wildcard.
  const pattern = `%/img/${image.file_name}%`;
  const mailings = await db
    .selectFrom("mailings")
    .select(["id", "name", "status"])
    .where("content", "like", pattern)
    .orderBy("id")
    .execute();
  const templates = await db
    .selectFrom("templates")
    .select(["id", "name"])
    .where("content", "like", pattern)
    .orderBy("id")
    .execute();
  return { mailings, templates };
}

/** The stored bytes for the public route; null for a name that is not in the library. */
export async function imageFile(
  db: Db,
  fileName: string,
): Promise<{ data: Buffer; contentType: string } | null> {
  if (!/^[0-9a-f]{32}\.(jpg|png|gif|webp)$/.test(fileName)) return null;
  const row = await db
    .selectFrom("images")
    .select(["data", "content_type"])
    .where("file_name", "=", fileName)
    .executeTakeFirst();
  return row ? { data: Buffer.from(row.data), contentType: row.content_type } : null;
}

/** Removes an image from the library; messages already sent that show it lose the picture. */
export async function deleteImage(db: Db, id: number): Promise<{ fileName: string }> {
  const row = await db.deleteFrom("images").where("id", "=", id).returning("file_name").executeTakeFirst();
  if (!row) throw notFound("image", id);
  return { fileName: row.file_name };
}
