// Pages for recipients, without sign-in: the unsubscribe page (a GET changes nothing; one button POSTs), the
// RFC 8058 one-click POST that mail clients send, the manage-subscriptions page, and the message shown in a browser.
import type { FastifyPluginAsync } from "fastify";
import {
  subscriptionsPage,
  unknownLinkPage,
  unsubscribedPage,
  unsubscribeQuestionPage,
} from "../../recipient-pages/pages.ts";
import {
  choicesFromForm,
  saveSubscriptionChoices,
  subscriptionsTarget,
} from "../../recipient-pages/subscriptions.ts";
import { unsubscribe, unsubscribeTarget } from "../../recipient-pages/unsubscribe.ts";
import { viewOnlineHtml } from "../../recipient-pages/view-online.ts";
import type { RouteDeps } from "../schemas.ts";

export const publicRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    // The one-click POST comes urlencoded or multipart; its body says nothing the URL does not, so /u/ does not read
    // it. The subscriptions page posts an urlencoded form (a ticked box is a field that is present).
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 64 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    app.addContentTypeParser(
      "multipart/form-data",
      { parseAs: "string", bodyLimit: 64 * 1024 },
      (_request, _body, done) => done(null, {}),
    );
    const tokenOf = (params: unknown) => String((params as { token?: string }).token ?? "").slice(0, 100);

    app.get("/u/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await unsubscribeTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8");
      if (!target) return reply.status(404).send(unknownLinkPage());
      if (target.alreadyDone) return unsubscribedPage(target.language);
      return unsubscribeQuestionPage(target.language, target.email, target.typeName);
    });

    // Manage subscriptions: a GET only shows; the signed token is the credential, so the form needs no CSRF token.
    app.get("/s/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await subscriptionsTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8");
      if (!target) return reply.status(404).send(unknownLinkPage());
      return subscriptionsPage(target, false);
    });

    app.post("/s/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await subscriptionsTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8");
      if (!target) return reply.status(404).send(unknownLinkPage());
      const form = typeof request.body === "object" && request.body !== null ? request.body : {};
      await saveSubscriptionChoices(deps.db, target, choicesFromForm(form as Record<string, unknown>));
      const after = await subscriptionsTarget(deps.db, deps.send.keys, tokenOf(request.params));
      return subscriptionsPage(after ?? target, true);
    });

    app.get("/v/:token", { schema: { hide: true } }, async (request, reply) => {
      const html = await viewOnlineHtml(
        deps.db,
        deps.send.keys,
        deps.send.publicUrl,
        tokenOf(request.params),
      );
      reply.header("cache-control", "no-store");
      if (html === null) return reply.status(404).type("text/html; charset=utf-8").send(unknownLinkPage());
      // The page shows only our own template with escaped values; still, nothing in it may run or reach out.
      reply.header(
        "content-security-policy",
        "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'",
      );
      reply.header("referrer-policy", "no-referrer");
      return reply.type("text/html; charset=utf-8").send(html);
    });

    app.post("/u/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await unsubscribeTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store");
      const oneClick = !String(request.headers.accept ?? "").includes("text/html");
      if (!target) return reply.status(404).type("text/plain").send("not found");
      await unsubscribe(deps.db, target, oneClick ? "one-click" : "page");
      if (oneClick) return reply.type("text/plain").send("unsubscribed");
      return reply.type("text/html; charset=utf-8").send(unsubscribedPage(target.language));
    });
  };
