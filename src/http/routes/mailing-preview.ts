// /api/mailings/:id/preview, /empty-variables, /test and /test-sends: the message as a recipient sees it (SPEC §6).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { documentEmptyVariableReport } from "../../documents/empty-variables.ts";
import {
  EmptyVariablesSchema,
  PreviewSchema,
  TestSendHistorySchema,
  TestSendSchema,
} from "../../mailings/api-schemas.ts";
import { getMailing } from "../../mailings/store.ts";
import { listTestSends } from "../../mailings/test-sends.ts";
import { emailEmptyVariableReport, previewRecipient, sendTest } from "../../send/channels/email/preview.ts";
import { errorResponses, Id, IdParams, type RouteDeps } from "../schemas.ts";

export const mailingPreviewRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["mailings"];
    const send = { access: "send" as const };
    // Read when used: the public address is known only once the server listens.
    const previewDeps = () => ({ db, publicUrl: deps.send.publicUrl, keys: deps.send.keys });
    app.get(
      "/mailings/:id/preview",
      {
        schema: {
          tags,
          summary: "The message as one recipient would see it (HTML sanitised for display)",
          params: IdParams,
          querystring: Type.Object({ recipientId: Type.Optional(Id) }, { additionalProperties: false }),
          response: { 200: PreviewSchema, ...errorResponses },
        },
      },
      async (request) => previewRecipient(previewDeps(), request.params.id, request.query.recipientId),
    );
    app.get(
      "/mailings/:id/empty-variables",
      {
        schema: {
          tags,
          summary: "Merge fields that are empty for some recipients, with who",
          params: IdParams,
          response: { 200: EmptyVariablesSchema, ...errorResponses },
        },
      },
      async (request) =>
        (await getMailing(db, request.params.id)).type === "document"
          ? documentEmptyVariableReport(db, request.params.id)
          : emailEmptyVariableReport(db, request.params.id),
    );
    app.post(
      "/mailings/:id/test",
      {
        config: send,
        schema: {
          tags,
          summary:
            "Send a test to ;-separated addresses; the subject is marked [TEST] and nothing is counted",
          params: IdParams,
          body: Type.Object(
            { addresses: Type.String({ minLength: 3, maxLength: 5000 }), recipientId: Type.Optional(Id) },
            { additionalProperties: false },
          ),
          response: { 200: TestSendSchema, ...errorResponses },
        },
      },
      async (request) =>
        sendTest(previewDeps(), request.params.id, request.body.addresses, request.body.recipientId),
    );
    app.get(
      "/mailings/:id/test-sends",
      {
        schema: {
          tags,
          summary: "The mailing's test sends and the bounces that came back for them, newest first",
          params: IdParams,
          response: { 200: TestSendHistorySchema, ...errorResponses },
        },
      },
      async (request) => listTestSends(db, request.params.id),
    );
  };
