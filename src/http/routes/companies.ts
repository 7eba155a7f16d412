// /api/companies: organisations and their persons.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  createCompany,
  deleteCompany,
  getCompany,
  listCompanies,
  updateCompany,
} from "../../companies/companies.ts";
import { listPersons } from "../../persons/persons.ts";
import {
  Company,
  CompanyInput,
  errorResponses,
  IdParams,
  NoContent,
  PageOf,
  PageQuery,
  PersonSummary,
  type RouteDeps,
} from "../schemas.ts";

export const companyRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const country = deps.config.defaultCountry;
    const tags = ["companies"];

    app.get(
      "/companies",
      {
        schema: {
          tags,
          summary: "List and search companies",
          querystring: Type.Object(
            {
              ...PageQuery,
              q: Type.Optional(Type.String({ maxLength: 200 })),
              city: Type.Optional(Type.String({ maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: PageOf(Company) },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listCompanies(db, filter, { limit, offset });
      },
    );
    app.post(
      "/companies",
      {
        schema: {
          tags,
          summary: "Create a company",
          body: CompanyInput,
          response: { 201: Company, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createCompany(db, request.body, country)),
    );
    app.get(
      "/companies/:id",
      {
        schema: {
          tags,
          summary: "One company",
          params: IdParams,
          response: { 200: Company, ...errorResponses },
        },
      },
      async (request) => getCompany(db, request.params.id),
    );
    app.patch(
      "/companies/:id",
      {
        schema: {
          tags,
          summary: "Change a company",
          params: IdParams,
          body: CompanyInput,
          response: { 200: Company, ...errorResponses },
        },
      },
      async (request) => updateCompany(db, request.params.id, request.body, country),
    );
    app.delete(
      "/companies/:id",
      {
        schema: {
          tags,
          summary: "Delete a company (its persons stay, without company)",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteCompany(db, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      "/companies/:id/persons",
      {
        schema: {
          tags,
          summary: "The company's persons",
          params: IdParams,
          querystring: Type.Object(PageQuery, { additionalProperties: false }),
          response: { 200: PageOf(PersonSummary), ...errorResponses },
        },
      },
      async (request) => {
        await getCompany(db, request.params.id);
        return listPersons(db, { companyId: request.params.id }, request.query);
      },
    );
  };
