// Typed fetch client for the utsend API: sends the session cookie, the CSRF token on writes, and turns
// `{error:{code,message,details}}` bodies into ApiError so forms can show problems under the named field.

import type { FieldProblemParams } from "../../../src/shared/errors.ts";

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

/** A field's problem: `kind` and `params` say it in any language (i18n/error-text.ts); `message` is the server's English. */
export type FieldProblem = {
  field: string;
  message: string;
  kind?: string;
  params?: FieldProblemParams;
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Problems by field path ("emails[0].address"), from details.fields[] or a single details.field. */
  get fieldProblems(): FieldProblem[] {
    const details = this.details as { fields?: unknown; field?: unknown } | null | undefined;
    if (!details || typeof details !== "object") return [];
    if (Array.isArray(details.fields)) {
      return details.fields.filter(
        (f): f is FieldProblem => typeof f?.field === "string" && typeof f?.message === "string",
      );
    }
    if (typeof details.field === "string") return [{ field: details.field, message: this.message }];
    return [];
  }
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export class ApiClient {
  #csrfToken: string | null = null;
  #onUnauthorized: (() => void) | null = null;

  setCsrfToken(token: string | null): void {
    this.#csrfToken = token;
  }

  /** Called when a request other than the session check gets 401: the session ended elsewhere. */
  onUnauthorized(handler: (() => void) | null): void {
    this.#onUnauthorized = handler;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", withQuery(path, query));
  }

  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>("POST", withQuery(path, query), body ?? {});
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }

  delete<T = void>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /** POSTs (or PUTs) a file as the raw body with its own content type (attachments, a Word template), not as JSON. */
  upload<T>(path: string, file: Blob, query?: Query, method: "POST" | "PUT" = "POST"): Promise<T> {
    return this.request<T>(method, withQuery(path, query), new RawBody(file));
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body instanceof RawBody) headers["content-type"] = body.blob.type || "application/octet-stream";
    else if (body !== undefined) headers["content-type"] = "application/json";
    if (WRITE_METHODS.has(method) && this.#csrfToken) headers["x-csrf-token"] = this.#csrfToken;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        body: body instanceof RawBody ? body.blob : body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new ApiError(0, "NETWORK_ERROR", cause instanceof Error ? cause.message : String(cause), null);
    }
    const text = await response.text();
    const data = text ? parseJson(text) : undefined;
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
        ?.error;
      if (response.status === 401 && path !== "/api/auth/me" && path !== "/auth/login") {
        this.#onUnauthorized?.();
      }
      throw new ApiError(
        response.status,
        error?.code ?? `HTTP_${response.status}`,
        error?.message ?? response.statusText,
        error?.details ?? null,
      );
    }
    return data as T;
  }
}

class RawBody {
  constructor(readonly blob: Blob) {}
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
