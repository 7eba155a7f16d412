// Builds the HTTP server: API under /api, sign-in under /auth, OpenAPI, the built web UI at /.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import type { FetchText } from "../bounces/webhooks/sns.ts";
import type { DbHandle } from "../db/connect.ts";
import type { Config } from "../shared/config.ts";
import { installAuth } from "./auth.ts";
import { installErrorHandler } from "./errors.ts";
import { authRoutes } from "./routes/auth.ts";
import { bounceRoutes } from "./routes/bounces.ts";
import { catalogueRoutes } from "./routes/catalogue.ts";
import { companyRoutes } from "./routes/companies.ts";
import { followUpRoutes } from "./routes/follow-up.ts";
import { importRoutes } from "./routes/imports.ts";
import { mailingImportRoutes } from "./routes/mailing-imports.ts";
import { mailingRoutes } from "./routes/mailings.ts";
import { personRoutes } from "./routes/persons.ts";
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
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const routeDeps: RouteDeps = {
    db: deps.handle.db,
    dialect: deps.handle.dialect,
    config: deps.config,
    send: deps.send,
  };
  app.get(
    "/api/health",
    { config: { public: true }, schema: { tags: ["system"], summary: "Liveness and database check" } },
    async () => {
      await deps.handle.db.selectFrom("settings").select("key").limit(1).execute();
      return { status: "ok", database: deps.handle.dialect };
    },
  );
  await app.register(authRoutes(routeDeps));
  await app.register(publicRoutes(routeDeps));
  await app.register(trackingRoutes(routeDeps));
  await app.register(webhookRoutes(routeDeps, deps.snsFetch ? { fetchText: deps.snsFetch } : {}));
  await app.register(personRoutes(routeDeps), { prefix: "/api" });
  await app.register(companyRoutes(routeDeps), { prefix: "/api" });
  await app.register(catalogueRoutes(routeDeps), { prefix: "/api" });
  await app.register(selectionRoutes(routeDeps), { prefix: "/api" });
  await app.register(projectRoutes(routeDeps), { prefix: "/api" });
  await app.register(settingsRoutes(routeDeps), { prefix: "/api" });
  await app.register(mailingRoutes(routeDeps), { prefix: "/api" });
  await app.register(sendingRoutes(routeDeps), { prefix: "/api" });
  await app.register(importRoutes(routeDeps), { prefix: "/api" });
  await app.register(mailingImportRoutes(routeDeps), { prefix: "/api" });
  await app.register(followUpRoutes(routeDeps), { prefix: "/api" });
  await app.register(bounceRoutes(routeDeps), { prefix: "/api" });

  const webRoot = deps.webRoot ?? resolve(import.meta.dirname, "../../dist/web");
  if (existsSync(join(webRoot, "index.html"))) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false });
    // The UI routes on the client: any other GET that is not API falls back to index.html.
    app.get("/*", { schema: { hide: true } }, (request, reply) => {
      const path = request.url.split("?")[0] ?? "";
      // A path with a file extension is an asset that does not exist (e.g. from a build newer than this server).
      if (
        path.startsWith("/api/") ||
        path.startsWith("/auth/") ||
        path.startsWith("/u/") ||
        path.startsWith("/s/") ||
        path.startsWith("/v/") ||
        path.startsWith("/hooks/") ||
        path.startsWith("/t/") ||
        /\.[a-z0-9]+$/i.test(path)
      )
        return reply
          .status(404)
          .send({ error: { code: "NOT_FOUND", message: `No route GET ${path}`, details: {} } });
      return reply.sendFile("index.html");
    });
  } else {
    app.get("/", { schema: { hide: true } }, async (_request, reply) =>
      reply.type("text/plain").send("utsend API is running; the web UI is not built (run `npm run build`)."),
    );
  }
  return app;
}
