// What the person and recipient import routes share: the file as the raw body and their error shape. The reports'
// shapes are in imports/api-schemas.ts, where the web UI reads them too.
import type { FastifyInstance, FastifyRequest } from "fastify";
import Type from "typebox";
import { parseMapText } from "../imports/mapping.ts";
import { invalid } from "../shared/errors.ts";

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Takes the file as the raw body, whatever its declared type; its bytes decide the format (a zip is XLSX). */
export function acceptFileBodies(app: FastifyInstance): void {
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser(
    ["text/csv", "text/plain", XLSX, "application/octet-stream"],
    { parseAs: "buffer", bodyLimit: MAX_FILE_BYTES },
    (_request, body, done) => done(null, body),
  );
}

/**
 * The uploaded file and the `map` query as an import takes them; an empty body or a malformed map is a field error.
 * XLSX declared in Content-Type is read as XLSX (a file that is no zip is then refused); otherwise the bytes decide.
 */
export function uploadedFile(request: FastifyRequest, map: string | undefined) {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw invalid([{ field: "body", message: "send the CSV or XLSX file as the request body" }]);
  const parsed = map ? parseMapText(map) : { map: {}, problems: [] };
  if (parsed.problems.length > 0) throw invalid(parsed.problems);
  const declaresXlsx = (request.headers["content-type"] ?? "").startsWith(XLSX);
  return { input: { buffer: body }, map: parsed.map, ...(declaresXlsx ? { format: "xlsx" as const } : {}) };
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
