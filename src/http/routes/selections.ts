// /api/selections: static, dynamic and combined selections and their members.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { MailingPageSchema } from "../../mailings/api-schemas.ts";
import { listMailings } from "../../mailings/store.ts";
import { CriteriaSchema, PERSON_FIELDS, TEXT_OPS } from "../../selections/criteria.ts";
import {
  addSelectionCompanies,
  addSelectionMembers,
  createSelection,
  deleteSelection,
  getSelection,
  listSelections,
  previewCriteria,
  removeSelectionMembers,
  selectionCompanies,
  selectionMembers,
  updateSelection,
} from "../../selections/store.ts";
import {
  Changed,
  errorResponses,
  Id,
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

const Kind = literals(["static", "dynamic", "combined"] as const);
const Combine = Type.Object(
  {
    op: literals(["union", "intersection", "difference"] as const),
    leftId: Id,
    rightId: Id,
  },
  { additionalProperties: false },
);
const Selection = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  kind: Kind,
  criteria: Nullable(CriteriaSchema),
  combine: Nullable(Combine),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const SelectionInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    kind: Kind,
    criteria: Type.Optional(CriteriaSchema),
    combine: Type.Optional(Combine),
  },
  { additionalProperties: false },
);

export const selectionRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["selections"];

    app.get(
      "/selections",
      {
        schema: {
          tags,
          summary: "List selections",
          querystring: Type.Object(
            { ...PageQuery, q: Type.Optional(Type.String({ maxLength: 200 })), kind: Type.Optional(Kind) },
            { additionalProperties: false },
          ),
          response: { 200: PageOf(Selection) },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listSelections(db, filter, { limit, offset });
      },
    );
    app.get(
      "/selections/criteria-fields",
      { schema: { tags, summary: "What dynamic criteria can test" } },
      async () => ({
        fields: Object.entries(PERSON_FIELDS).map(([field, kind]) => ({ field, kind })),
        ops: TEXT_OPS,
      }),
    );
    app.post(
      "/selections/preview",
      {
        schema: {
          tags,
          summary: "Members that draft criteria would give, without saving",
          querystring: Type.Object(PageQuery, { additionalProperties: false }),
          body: Type.Object({ criteria: CriteriaSchema }, { additionalProperties: false }),
          response: { 200: PageOf(PersonSummary), ...errorResponses },
        },
        config: { access: "read" },
      },
      async (request) => previewCriteria(db, request.body.criteria, request.query),
    );
    app.post(
      "/selections",
      {
        schema: {
          tags,
          summary: "Create a selection",
          body: SelectionInput,
          response: { 201: Selection, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createSelection(db, request.body)),
    );
    app.get(
      "/selections/:id",
      {
        schema: {
          tags,
          summary: "One selection",
          params: IdParams,
          response: { 200: Selection, ...errorResponses },
        },
      },
      async (request) => getSelection(db, request.params.id),
    );
    app.patch(
      "/selections/:id",
      {
        schema: {
          tags,
          summary: "Change a selection's name, description, criteria or combination (not its kind)",
          params: IdParams,
          body: Type.Partial(SelectionInput, { additionalProperties: false }),
          response: { 200: Selection, ...errorResponses },
        },
      },
      async (request) => updateSelection(db, request.params.id, request.body),
    );
    app.delete(
      "/selections/:id",
      {
        schema: {
          tags,
          summary: "Delete a selection",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteSelection(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      "/selections/:id/members",
      {
        schema: {
          tags,
          summary: "The selection's members, evaluated now",
          params: IdParams,
          querystring: PersonFilterQuery,
          response: { 200: PageOf(PersonSummary), ...errorResponses },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return selectionMembers(db, request.params.id, filter, { limit, offset });
      },
    );
    app.post(
      "/selections/:id/members",
      {
        schema: {
          tags,
          summary: "Add persons to a static selection",
          params: IdParams,
          body: IdList("personIds"),
          response: { 200: Changed, ...errorResponses },
        },
      },
      async (request) => addSelectionMembers(db, request.params.id, request.body.personIds as number[]),
    );
    app.post(
      "/selections/:id/members/remove",
      {
        schema: {
          tags,
          summary: "Remove persons from a static selection",
          params: IdParams,
          body: IdList("personIds"),
          response: { 200: Changed, ...errorResponses },
        },
      },
      async (request) => removeSelectionMembers(db, request.params.id, request.body.personIds as number[]),
    );
    app.get(
      "/selections/:id/companies",
      { schema: { tags, summary: "Companies listed in a static selection", params: IdParams } },
      async (request) => ({ items: await selectionCompanies(db, request.params.id) }),
    );
    app.post(
      "/selections/:id/companies",
      {
        schema: {
          tags,
          summary: "Add companies to a static selection",
          params: IdParams,
          body: IdList("companyIds"),
          response: { 200: Changed, ...errorResponses },
        },
      },
      async (request) => addSelectionCompanies(db, request.params.id, request.body.companyIds as number[]),
    );
    app.get(
      "/selections/:id/mailings",
      {
        schema: {
          tags,
          summary: "Mailings linked to the selection (the Mailings tab)",
          params: IdParams,
          response: { 200: MailingPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        await getSelection(db, request.params.id);
        return listMailings(db, { selectionId: request.params.id }, { limit: 500, offset: 0 });
      },
    );
  };
