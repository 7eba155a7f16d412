// What the person and recipient import routes share: the file as the raw body and their error shape. The reports'
// shapes are in imports/api-schemas.ts, where the web UI reads them too.
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { errorCodes, type FastifyInstance, type FastifyRequest } from "fastify";
import Type from "typebox";
import { parseMapText } from "../imports/mapping.ts";
import { invalid } from "../shared/errors.ts";

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** The id a client chooses for a person or recipient-file import, to follow it while its upload waits. */
export const ProgressId = Type.String({
  pattern: "^[A-Za-z0-9-]{8,64}$",
  description: "an id the client chooses, to follow the import at GET /api/imports/progress/{progressId}",
});

/** An uploaded file, written to a temporary file as it arrives and removed once the response is sent. */
type Upload = { path: string; size: number };
const isUpload = (body: unknown): body is Upload =>
  typeof body === "object" && body !== null && typeof (body as Upload).path === "string";

const removeUpload = (request: FastifyRequest) =>
  isUpload(request.body) ? rm(request.body.path, { force: true }) : Promise.resolve();

/** Writes the body to `dir` as it arrives, refusing more than `limit` bytes; a failed upload leaves no file. */
async function saveUpload(payload: NodeJS.ReadableStream, dir: string, limit: number): Promise<Upload> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomUUID()}.upload`);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) callback(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(payload, counter, createWriteStream(path, { flags: "wx" }));
    return { path, size };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/**
 * Takes the file as the raw body, whatever its declared type; its bytes decide the format (a zip is XLSX). The body
 * goes to a temporary file in `uploadDir` as it arrives (a large upload is never held in memory), which is removed
 * when the response has been sent, whatever it was (the routes remove it too, should the client leave first).
 */
export function acceptFileBodies(app: FastifyInstance, uploadDir: string): void {
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser(
    ["text/csv", "text/plain", XLSX, "application/octet-stream"],
    { bodyLimit: MAX_FILE_BYTES },
    async (request: FastifyRequest, payload: NodeJS.ReadableStream) => {
      if (Number(request.headers["content-length"]) > MAX_FILE_BYTES)
        throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
      return saveUpload(payload, uploadDir, MAX_FILE_BYTES);
    },
  );
  app.addHook("onResponse", async (request) => removeUpload(request));
}

/**
 * The uploaded file and the `map` query as an import takes them; an empty body or a malformed map is a field error.
 * XLSX declared in Content-Type is read as XLSX (a file that is no zip is then refused); otherwise the bytes decide.
 */
export function uploadedFile(request: FastifyRequest, map: string | undefined) {
  const body = request.body;
  if (!isUpload(body) || body.size === 0)
    throw invalid([
      { field: "body", message: "send the CSV or XLSX file as the request body", kind: "needs-body" },
    ]);
  const parsed = map ? parseMapText(map) : { map: {}, problems: [] };
  if (parsed.problems.length > 0) throw invalid(parsed.problems);
  const declaresXlsx = (request.headers["content-type"] ?? "").startsWith(XLSX);
  return {
    input: { path: body.path },
    map: parsed.map,
    ...(declaresXlsx ? { format: "xlsx" as const } : {}),
    /** Removes the temporary file (the response hook does too; this covers a client that left mid-import). */
    remove: () => removeUpload(request),
  };
}

// Errors carry structured details (a refused file's report); the shared ErrorBody would strip them.
const ImportError = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Object({}, { additionalProperties: true }),
  }),
});
export const importErrors = {
  400: ImportError,
  403: ImportError,
  404: ImportError,
  409: ImportError,
  413: ImportError,
  422: ImportError,
};
