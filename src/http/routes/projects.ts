// /api/projects: projects and their members.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { MailingPageSchema } from "../../mailings/api-schemas.ts";
import { listMailings } from "../../mailings/store.ts";
import {
  addProjectMembers,
  createProject,
  deleteProject,
  getProject,
  listProjects,
  PROJECT_STATUSES,
  projectMembers,
  removeProjectMembers,
  updateProject,
} from "../../projects/store.ts";
import {
  Changed,
  errorResponses,
  IdList,
  IdParams,
  literals,
  NoContent,
  Nullable,
  PageOf,
  PageQuery,
  PersonSummary,
  type RouteDeps,
} from "../schemas.ts";
import { PersonFilterQuery } from "./persons.ts";

const Status = literals(PROJECT_STATUSES);
const Project = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: Status,
  description: Nullable(Type.String()),
  memberCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const ProjectInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    status: Type.Optional(Status),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  },
  { additionalProperties: false },
);

export const projectRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["projects"];
    app.get(
      "/projects",
      {
        schema: {
          tags,
          summary: "List projects",
          querystring: Type.Object(
            {
              ...PageQuery,
              q: Type.Optional(Type.String({ maxLength: 200 })),
              status: Type.Optional(Status),
            },
            { additionalProperties: false },
          ),
          response: { 200: PageOf(Project) },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listProjects(db, filter, { limit, offset });
      },
    );
    app.post(
      "/projects",
      {
        schema: {
          tags,
          summary: "Create a project",
          body: ProjectInput,
          response: { 201: Project, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createProject(db, request.body)),
    );
    app.get(
      "/projects/:id",
      {
        schema: {
          tags,
          summary: "One project",
          params: IdParams,
          response: { 200: Project, ...errorResponses },
        },
      },
      async (request) => getProject(db, request.params.id),
    );
    app.patch(
      "/projects/:id",
      {
        schema: {
          tags,
          summary: "Change a project",
          params: IdParams,
          body: Type.Partial(ProjectInput, { additionalProperties: false }),
          response: { 200: Project, ...errorResponses },
        },
      },
      async (request) => updateProject(db, request.params.id, request.body),
    );
    app.delete(
      "/projects/:id",
      {
        schema: {
          tags,
          summary: "Delete a project",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteProject(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      "/projects/:id/members",
      {
        schema: {
          tags,
          summary: "The project's members",
          params: IdParams,
          querystring: PersonFilterQuery,
          response: { 200: PageOf(PersonSummary), ...errorResponses },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return projectMembers(db, request.params.id, filter, { limit, offset });
      },
    );
    app.post(
      "/projects/:id/members",
      {
        schema: {
          tags,
          summary: "Add persons to the project",
          params: IdParams,
          body: IdList("personIds"),
          response: { 200: Changed, ...errorResponses },
        },
      },
      async (request) => addProjectMembers(db, request.params.id, request.body.personIds as number[]),
    );
    app.post(
      "/projects/:id/members/remove",
      {
        schema: {
          tags,
          summary: "Remove persons from the project",
          params: IdParams,
          body: IdList("personIds"),
          response: { 200: Changed, ...errorResponses },
        },
      },
      async (request) => removeProjectMembers(db, request.params.id, request.body.personIds as number[]),
    );
    app.get(
      "/projects/:id/activities",
      {
        schema: {
          tags,
          summary: "Mailings linked to the project (the Activities tab)",
          params: IdParams,
          response: { 200: MailingPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        await getProject(db, request.params.id);
        return listMailings(db, { projectId: request.params.id }, { limit: 500, offset: 0 });
      },
    );
  };
