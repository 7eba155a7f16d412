// Builds the HTTP server: API under /api, sign-in under /auth, OpenAPI, the built web UI at /.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from "fastify";
import type { FetchText } from "../bounces/webhooks/sns.ts";
import type { DbHandle } from "../db/connect.ts";
import { createSpamChecker } from "../deliverability/spam-check.ts";
import { spamScorer } from "../deliverability/spamassassin.ts";
import type { FormQueue } from "../forms/queue.ts";
import { runningImports } from "../imports/running.ts";
import type { Config } from "../shared/config.ts";
import { installAuth, openToAll, signedIn } from "./auth.ts";
import { installErrorHandler } from "./errors.ts";
import { auditRoutes } from "./routes/audit.ts";
import { authRoutes } from "./routes/auth.ts";
import { bounceRoutes } from "./routes/bounces.ts";
import { catalogueRoutes } from "./routes/catalogue.ts";
import { companyRoutes } from "./routes/companies.ts";
import { editorRoutes, imageFileRoutes } from "./routes/editor.ts";
import { followUpRoutes } from "./routes/follow-up.ts";
import { formConfirmRoutes } from "./routes/form-confirm.ts";
import { formPageRoutes } from "./routes/form-pages.ts";
import { formPowRoutes } from "./routes/form-pow.ts";
import { formSubmissionRoutes } from "./routes/form-submissions.ts";
import { formRoutes } from "./routes/forms.ts";
import { importRoutes } from "./routes/imports.ts";
import { mailingAttachmentRoutes } from "./routes/mailing-attachments.ts";
import { mailingDocumentRoutes } from "./routes/mailing-documents.ts";
import { mailingImportRoutes } from "./routes/mailing-imports.ts";
import { mailingLifecycleRoutes } from "./routes/mailing-lifecycle.ts";
import { mailingPreviewRoutes } from "./routes/mailing-preview.ts";
import { mailingRecipientRoutes } from "./routes/mailing-recipients.ts";
import { mailingSmsRoutes } from "./routes/mailing-sms.ts";
import { mailingSpamCheckRoutes } from "./routes/mailing-spam-check.ts";
import { mailingTemplateRoutes } from "./routes/mailing-templates.ts";
import { mailingRoutes } from "./routes/mailings.ts";
import { personRoutes } from "./routes/persons.ts";
import { privacyRoutes } from "./routes/privacy.ts";
import { projectRoutes } from "./routes/projects.ts";
import { publicRoutes } from "./routes/public.ts";
import { selectionRoutes } from "./routes/selections.ts";
import { sendingRoutes } from "./routes/sending.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { trackingRoutes } from "./routes/tracking.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import type { RouteDeps } from "./schemas.ts";
import { installValidation } from "./validation.ts";

export type AppDeps = {
  handle: DbHandle;
  config: Config;
  send: RouteDeps["send"];
  webRoot?: string;
  /** How the SES webhook fetches SNS certificates and subscription URLs (tests pass their own). */
  snsFetch?: FetchText;
  /** Where the hosted form page hands a stored submission for processing (forms/queue.ts). */
  formQueue: Pick<FormQueue, "nudge">;
};
export type App = FastifyInstance;

const packageVersion = "0.1.0";

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === "silent" ? false : { level: deps.config.logLevel },
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  installValidation(app);
  installErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "utsend API",
        version: packageVersion,
        description:
          "Marketing mailings over a small CRM. Authenticate with the session cookie from POST /auth/login " +
          "(then send the x-csrf-token header on writes) or an API key: `Authorization: Bearer us_…`. " +
          "Errors are {error: {code, message, details}}; codes are listed in docs/errors.md.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer" },
          session: { type: "apiKey", in: "cookie", name: "utsend_session" },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  installAuth(app, deps.handle.db);
  await app.register(
    signedIn(async (docs) => {
      await docs.register(fastifySwaggerUi, { routePrefix: "/api/docs" });
      docs.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
    }),
  );

  const routeDeps: RouteDeps = {
    db: deps.handle.db,
    dialect: deps.handle.dialect,
    config: deps.config,
    send: deps.send,
    spamCheck: createSpamChecker({
      db: deps.handle.db,
      scorer: spamScorer(deps.config),
      send: () => deps.send,
    }),
    imports: runningImports(),
  };
  await app.register(
    openToAll(async (system) => {
      system.get(
        "/api/health",
        { schema: { tags: ["system"], summary: "Liveness and database check", security: [] } },
        async () => {
          await deps.handle.db.selectFrom("settings").select("key").limit(1).execute();
          return { status: "ok", database: deps.handle.dialect };
        },
      );
    }),
  );
  // Sign-in (/auth/login declares itself public) and the session's own routes under /api/auth.
  await app.register(signedIn(authRoutes(routeDeps)));
  await app.register(openToAll(publicRoutes(routeDeps)));
  await app.register(openToAll(imageFileRoutes(routeDeps)));
  await app.register(openToAll(formConfirmRoutes(routeDeps)));
  await app.register(openToAll(trackingRoutes(routeDeps)));
  await app.register(openToAll(formPageRoutes(routeDeps, deps.formQueue)));
  await app.register(openToAll(formPowRoutes(routeDeps)));
  await app.register(openToAll(webhookRoutes(routeDeps, deps.snsFetch ? { fetchText: deps.snsFetch } : {})));
  for (const routes of [
    personRoutes,
    privacyRoutes,
    companyRoutes,
    catalogueRoutes,
    selectionRoutes,
    projectRoutes,
    settingsRoutes,
    mailingRoutes,
    mailingRecipientRoutes,
    mailingTemplateRoutes,
    mailingAttachmentRoutes,
    editorRoutes,
    mailingPreviewRoutes,
    mailingSmsRoutes,
    mailingDocumentRoutes,
    mailingSpamCheckRoutes,
    mailingLifecycleRoutes,
    sendingRoutes,
    importRoutes,
    mailingImportRoutes,
    followUpRoutes,
    bounceRoutes,
    auditRoutes,
    formRoutes,
    formSubmissionRoutes,
  ])
    await app.register(signedIn(routes(routeDeps)), { prefix: "/api" });

  const webRoot = deps.webRoot ?? resolve(import.meta.dirname, "../../dist/web");
  await app.register(openToAll(webUi(webRoot)));
  return app;
}

/** The built web UI's files, and index.html for any other GET the client-side router may own. */
function webUi(webRoot: string): FastifyPluginAsync {
  return async (ui) => {
    if (!existsSync(join(webRoot, "index.html"))) {
      ui.get("/", { schema: { hide: true } }, async (_request, reply) =>
        reply
          .type("text/plain")
          .send("utsend API is running; the web UI is not built (run `npm run build`)."),
      );
      return;
    }
    await ui.register(fastifyStatic, { root: webRoot, wildcard: false });
    ui.get("/*", { schema: { hide: true } }, (request, reply) => {
      const path = (request.params as { "*": string })["*"];
      if (!isClientRoute(path))
        return reply.status(404).send({
          error: { code: "NOT_FOUND", message: `No route GET ${request.url.split("?")[0]}`, details: {} },
        });
      return reply.sendFile("index.html");
    });
  };
}

const SERVER_PREFIXES = new Set(["api", "auth", "u", "s", "v", "t", "hooks", "f", "img"]);

/**
 * Whether a path the router did not match may be a page of the client-side router. Any spelling that could mean a
 * server path (other case, doubled slashes, dot segments, `;` parameters, encoded characters) is not, so an odd
 * spelling of an API path answers 404 rather than the UI. A path with a file extension is a missing asset.
 */
export function isClientRoute(decodedPath: string): boolean {
  if (decodedPath === "") return true;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a control character never belongs to a page's path.
  if (/[\\%;\u0000-\u001f]/.test(decodedPath) || /\.[a-z0-9]+$/i.test(decodedPath)) return false;
  const segments = decodedPath.replace(/\/$/, "").split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return false;
  return !SERVER_PREFIXES.has((segments[0] ?? "").toLowerCase());
}
