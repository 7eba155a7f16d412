// /f/:slug/confirm/:token, without sign-in: the double opt-in link (SPEC §9). A GET only shows the question; the
// Confirm button POSTs. The signed token names the submission and its expiry; the submission must belong to the
// form the address names.
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { readConfirmToken } from "../../deliveries/form-link.ts";
import { confirmedPage, confirmQuestionPage, expiredPage } from "../../forms/confirm-pages.ts";
import { languageOf } from "../../forms/mail-texts.ts";
import { confirmSubmission, expireOverdueConfirmations } from "../../forms/processing.ts";
import { unknownLinkPage } from "../../recipient-pages/pages.ts";
import { isoNow } from "../../shared/clock.ts";
import type { RouteDeps } from "../schemas.ts";

type Params = { slug?: string; token?: string };

export const formConfirmRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    // The Confirm button posts an empty urlencoded form; nothing in its body is read.
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 4 * 1024 },
      (_request, _body, done) => done(null, {}),
    );

    /** The submission the link names, with its form, when the token is genuine and the slug is its form's. */
    async function target(params: unknown) {
      const { slug = "", token = "" } = params as Params;
      const read = readConfirmToken(deps.send.keys, token.slice(0, 100));
      if (!read) return null;
      await expireOverdueConfirmations(deps.db, isoNow(), read.submissionId);
      const row = await deps.db
        .selectFrom("form_submissions as s")
        .innerJoin("forms as f", "f.id", "s.form_id")
        .select(["s.id", "s.status", "s.confirmed_at", "f.slug", "f.name", "f.language"])
        .where("s.id", "=", read.submissionId)
        .executeTakeFirst();
      if (!row || row.slug !== slug) return null;
      return {
        ...row,
        language: languageOf(row.language),
        formUrl: `${deps.send.publicUrl}/f/${encodeURIComponent(row.slug)}`,
      };
    }

    const html = (reply: FastifyReply) =>
      reply
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .type("text/html; charset=utf-8");

    app.get("/f/:slug/confirm/:token", { schema: { hide: true } }, async (request, reply) => {
      const found = await target(request.params);
      html(reply);
      if (!found) return reply.status(404).send(unknownLinkPage());
      if (found.status === "expired")
        return reply.status(410).send(expiredPage(found.language, found.formUrl));
      if (found.status === "awaiting-confirmation") return confirmQuestionPage(found.language, found.name);
      if (found.confirmed_at !== null) return confirmedPage(found.language);
      return reply.status(404).send(unknownLinkPage(found.language));
    });

    app.post("/f/:slug/confirm/:token", { schema: { hide: true } }, async (request, reply) => {
      const found = await target(request.params);
      html(reply);
      if (!found) return reply.status(404).send(unknownLinkPage());
      const outcome = await confirmSubmission(deps, found.id);
      if (outcome === "expired") return reply.status(410).send(expiredPage(found.language, found.formUrl));
      if (outcome === "unknown") return reply.status(404).send(unknownLinkPage(found.language));
      return confirmedPage(found.language);
    });
  };
