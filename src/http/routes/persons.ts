// /api/persons: the person register, consent and subscriptions.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { personAddressProblems } from "../../bounces/blocked.ts";
import { consentHistory, recordConsent, setSubscription } from "../../persons/consent.ts";
import { createPerson, deletePerson, getPerson, listPersons, updatePerson } from "../../persons/persons.ts";
import { caller } from "../auth.ts";
import {
  ConsentInput,
  errorResponses,
  Id,
  IdParams,
  NoContent,
  PageOf,
  PageQuery,
  Person,
  PersonInput,
  PersonSummary,
  type RouteDeps,
  SubscriptionInput,
} from "../schemas.ts";

export const PersonFilterQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(Type.String({ maxLength: 200 })),
    companyId: Type.Optional(Id),
    interest: Type.Optional(Type.String({ maxLength: 100 })),
    hasEmail: Type.Optional(Type.Boolean()),
    hasMobile: Type.Optional(Type.Boolean()),
    formerEmployee: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const personRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const options = { defaultCountry: deps.config.defaultCountry };
    const tags = ["persons"];

    app.get(
      "/persons",
      {
        schema: {
          tags,
          summary: "List and search persons",
          querystring: PersonFilterQuery,
          response: { 200: PageOf(PersonSummary) },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listPersons(db, filter, { limit, offset });
      },
    );

    app.post(
      "/persons",
      {
        schema: {
          tags,
          summary: "Create a person",
          body: PersonInput,
          response: { 201: Person, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createPerson(db, request.body, options)),
    );

    app.get(
      "/persons/:id",
      {
        schema: {
          tags,
          summary: "One person",
          params: IdParams,
          response: { 200: Person, ...errorResponses },
        },
      },
      async (request) => ({
        ...(await getPerson(db, request.params.id)),
        addressProblems: await personAddressProblems(db, request.params.id),
      }),
    );

    app.patch(
      "/persons/:id",
      {
        schema: {
          tags,
          summary: "Change a person; fields left out stay as they are",
          params: IdParams,
          body: PersonInput,
          response: { 200: Person, ...errorResponses },
        },
      },
      async (request) => updatePerson(db, request.params.id, request.body, options),
    );

    app.delete(
      "/persons/:id",
      {
        schema: {
          tags,
          summary: "Delete a person",
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deletePerson(db, request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      "/persons/:id/consent-history",
      {
        schema: {
          tags,
          summary: "The person's consent and subscription history, newest first",
          params: IdParams,
        },
      },
      async (request) => {
        await getPerson(db, request.params.id);
        return { items: await consentHistory(db, request.params.id) };
      },
    );

    app.post(
      "/persons/:id/consents",
      {
        schema: {
          tags,
          summary: "Record consent (or its withdrawal) for a purpose; appended to the history",
          params: IdParams,
          body: ConsentInput,
          response: { 200: Person, ...errorResponses },
        },
      },
      async (request) => {
        const { purpose, legalBasis, source, comment, newConsent } = request.body;
        await recordConsent(db, request.params.id, {
          purpose,
          legalBasis,
          source: source ?? (caller(request).via === "apiKey" ? "api" : "manual"),
          comment: comment ?? null,
          userId: caller(request).user.id,
          newConsent: newConsent ?? false,
        });
        return getPerson(db, request.params.id);
      },
    );

    app.put(
      "/persons/:id/subscriptions/:typeId",
      {
        schema: {
          tags,
          summary: "Set the person's status for a subscription type; an unsubscribe is remembered",
          params: Type.Object({ id: IdParams.properties.id, typeId: IdParams.properties.id }),
          body: SubscriptionInput,
          response: { 200: Person, ...errorResponses },
        },
      },
      async (request) => {
        await setSubscription(db, request.params.id, {
          typeId: request.params.typeId,
          status: request.body.status,
          source: caller(request).via === "apiKey" ? "api" : "manual",
          comment: request.body.comment ?? null,
          userId: caller(request).user.id,
        });
        return getPerson(db, request.params.id);
      },
    );
  };
