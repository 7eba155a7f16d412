// The tracking endpoints in messages: `/t/c/<token>` records a click and redirects to the stored URL, `/t/o/<token>`
// records an open and answers a 1×1 GIF. No sign-in; a bad token gets a plain 404 and records nothing.
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { recordClick, recordOpen } from "../../track/record.ts";
import type { RouteDeps } from "../schemas.ts";

// The smallest transparent GIF (43 bytes).
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

const NOT_FOUND_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>404</title></head>' +
  "<body><p>Lenken er ugyldig. / This link is not valid.</p></body></html>";

const tokenOf = (request: FastifyRequest) =>
  String((request.params as { token?: string }).token ?? "").slice(0, 100);
const metaOf = (request: FastifyRequest) => ({
  userAgent: request.headers["user-agent"]?.slice(0, 500),
  ip: request.ip,
});

export const trackingRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    app.get("/t/c/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await recordClick(deps.db, deps.send.keys, tokenOf(request), metaOf(request));
      reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
      if (!target) return reply.status(404).type("text/html; charset=utf-8").send(NOT_FOUND_PAGE);
      return reply.redirect(target, 302);
    });

    app.get("/t/o/:token", { schema: { hide: true } }, async (request, reply) => {
      // The pixel answers the same whatever happened, so it tells nobody whether a token is valid.
      await recordOpen(deps.db, deps.send.keys, tokenOf(request), metaOf(request));
      return reply
        .header("cache-control", "no-store, no-cache, must-revalidate, private")
        .type("image/gif")
        .send(PIXEL);
    });
  };
