// The proof-of-work widget's public routes beside the hosted page (forms/proof-of-work.ts): its challenge, and the
// ALTCHA widget's own built script (and its Norwegian texts) from node_modules, so the page loads scripts from us only.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { issueChallenge } from "../../forms/proof-of-work.ts";
import type { FormLanguage } from "../../forms/rules.ts";
import { SLUG_PATTERN } from "../../forms/rules.ts";
import { type FormRecord, formBySlug } from "../../forms/store.ts";
import { AppError } from "../../shared/errors.ts";
import type { RouteDeps } from "../schemas.ts";

// `require` resolves to the widget's dist/main/altcha.umd.cjs; its minified browser module lies beside it.
const widgetMain = dirname(createRequire(import.meta.url).resolve("altcha"));
const WIDGET_FILES = {
  "altcha.js": join(widgetMain, "altcha.min.js"),
  "altcha-nb.js": join(widgetMain, "../i18n/nb.js"),
} as const;
type WidgetFile = keyof typeof WIDGET_FILES;
/** In the scripts' URLs: a new widget version is a new URL, so the year-long cache never serves an old one. */
const WIDGET_VERSION = (
  JSON.parse(readFileSync(join(widgetMain, "../../package.json"), "utf8")) as { version: string }
).version;

/** What the hosted page of a form with proof of work loads: the widget (English built in) and the form's language. */
export function powWidget(slug: string, language: FormLanguage) {
  const files: WidgetFile[] = language === "nb" ? ["altcha.js", "altcha-nb.js"] : ["altcha.js"];
  return {
    scriptUrls: files.map((file) => `/f/${slug}/${file}?v=${WIDGET_VERSION}`),
    challengeUrl: `/f/${slug}/challenge`,
  };
}

export const formPowRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const scripts = new Map<WidgetFile, Buffer>();

    /** The form when it asks for proof of work and visitors may see it; null for anything else. */
    async function powForm(request: FastifyRequest): Promise<FormRecord | null> {
      const slug = String((request.params as { slug?: string }).slug ?? "");
      const form = SLUG_PATTERN.test(slug) ? await formBySlug(db, slug) : null;
      return form && form.status !== "draft" && form.proofOfWork ? form : null;
    }

    app.get("/f/:slug/challenge", { schema: { hide: true } }, async (request, reply) => {
      const form = await powForm(request);
      if (!form?.active)
        throw new AppError("NOT_FOUND", "No form at this address takes answers with a proof of work", {
          slug: (request.params as { slug?: string }).slug,
        });
      return reply
        .header("cache-control", "no-store")
        .send(await issueChallenge(deps.send.keys, form.id, Date.now()));
    });

    const serveWidget = (file: WidgetFile) => async (request: FastifyRequest, reply: FastifyReply) => {
      if (!(await powForm(request))) return reply.status(404).type("text/plain").send("not found");
      let body = scripts.get(file);
      if (!body) {
        body = readFileSync(WIDGET_FILES[file]);
        scripts.set(file, body);
      }
      return reply
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .type("text/javascript; charset=utf-8")
        .send(body);
    };
    for (const file of Object.keys(WIDGET_FILES) as WidgetFile[])
      app.get(`/f/:slug/${file}`, { schema: { hide: true } }, serveWidget(file));
  };
