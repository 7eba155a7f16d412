// /api/forms/:id/submissions/:sid/{link,create,reject}: manual processing of a submission (SPEC §9), for signed-in
// users with the write right. The answer is the submission's detail after the change.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { SubmissionDetail as Detail } from "../../forms/api-schemas.ts";
import { createFromSubmission, linkSubmission, rejectWithReason } from "../../forms/manual.ts";
import { caller } from "../auth.ts";
import { errorResponses, Id, type RouteDeps } from "../schemas.ts";

const tags = ["forms"];
const Params = Type.Object({ id: Id, sid: Id });

export const formSubmissionRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      "/forms/:id/submissions/:sid/link",
      {
        schema: {
          tags,
          summary: "Process a waiting submission for the chosen person",
          params: Params,
          body: Type.Object({ personId: Id }, { additionalProperties: false }),
          response: { 200: Detail, ...errorResponses },
        },
      },
      async (request) =>
        linkSubmission(
          deps,
          request.params.id,
          request.params.sid,
          request.body.personId,
          caller(request).user.id,
        ),
    );
    app.post(
      "/forms/:id/submissions/:sid/create",
      {
        schema: {
          tags,
          summary: "Process a waiting submission by creating a new person from it",
          params: Params,
          response: { 200: Detail, ...errorResponses },
        },
      },
      async (request) =>
        createFromSubmission(deps, request.params.id, request.params.sid, caller(request).user.id),
    );
    app.post(
      "/forms/:id/submissions/:sid/reject",
      {
        schema: {
          tags,
          summary: "Reject a waiting submission with a reason",
          params: Params,
          body: Type.Object(
            { reason: Type.String({ minLength: 1, maxLength: 500, pattern: "\\S" }) },
            { additionalProperties: false },
          ),
          response: { 200: Detail, ...errorResponses },
        },
      },
      async (request) =>
        rejectWithReason(
          deps,
          request.params.id,
          request.params.sid,
          request.body.reason,
          caller(request).user.id,
        ),
    );
  };
