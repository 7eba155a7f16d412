// /api/interests, /api/custom-fields, /api/consent-purposes, /api/subscription-types: the CRM's vocabularies.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  CUSTOM_FIELD_TYPES,
  createConsentPurpose,
  createCustomField,
  createInterest,
  createSubscriptionType,
  listConsentPurposes,
  listCustomFields,
  listInterests,
  listSubscriptionTypes,
  updateSubscriptionType,
} from "../../persons/catalogue.ts";
import { errorResponses, IdParams, literals, Nullable, type RouteDeps } from "../schemas.ts";

export const catalogueRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const strict = { additionalProperties: false };
    const Interest = Type.Object({ id: Type.Integer(), name: Type.String(), personCount: Type.Integer() });
    const CustomField = Type.Object({
      id: Type.Integer(),
      key: Type.String(),
      label: Type.String(),
      type: Type.String(),
    });
    const Purpose = Type.Object({
      id: Type.Integer(),
      key: Type.String(),
      name: Type.String(),
      builtin: Type.Boolean(),
    });
    const SubscriptionType = Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      description: Nullable(Type.String()),
      subscriberCount: Type.Optional(Type.Integer()),
    });

    app.get(
      "/interests",
      { schema: { tags: ["catalogue"], summary: "Interests with their person counts" } },
      async () => ({
        items: await listInterests(db),
      }),
    );
    app.post(
      "/interests",
      {
        schema: {
          tags: ["catalogue"],
          summary: "Create an interest",
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, strict),
          response: { 201: Interest, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createInterest(db, request.body.name)),
    );

    app.get(
      "/custom-fields",
      { schema: { tags: ["catalogue"], summary: "Custom person fields" } },
      async () => ({
        items: await listCustomFields(db),
      }),
    );
    app.post(
      "/custom-fields",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["catalogue"],
          summary: "Create a custom person field (admin)",
          body: Type.Object(
            {
              key: Type.String({ minLength: 1, maxLength: 40 }),
              label: Type.String({ minLength: 1, maxLength: 100 }),
              type: literals(CUSTOM_FIELD_TYPES),
            },
            strict,
          ),
          response: { 201: CustomField, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createCustomField(db, request.body)),
    );

    app.get(
      "/consent-purposes",
      { schema: { tags: ["catalogue"], summary: "Consent purposes" } },
      async () => ({
        items: await listConsentPurposes(db),
      }),
    );
    app.post(
      "/consent-purposes",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["catalogue"],
          summary: "Add a consent purpose (admin)",
          body: Type.Object(
            {
              key: Type.String({ minLength: 2, maxLength: 40 }),
              name: Type.String({ minLength: 1, maxLength: 100 }),
            },
            strict,
          ),
          response: { 201: Purpose, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createConsentPurpose(db, request.body)),
    );

    app.get(
      "/subscription-types",
      { schema: { tags: ["catalogue"], summary: "Subscription types" } },
      async () => ({
        items: await listSubscriptionTypes(db),
      }),
    );
    const SubscriptionTypeBody = Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100 }),
        description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
      },
      strict,
    );
    app.post(
      "/subscription-types",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["catalogue"],
          summary: "Create a subscription type (admin)",
          body: SubscriptionTypeBody,
          response: { 201: SubscriptionType, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createSubscriptionType(db, request.body)),
    );
    app.patch(
      "/subscription-types/:id",
      {
        config: { access: "manageSettings" },
        schema: {
          tags: ["catalogue"],
          summary: "Rename or describe a subscription type (admin)",
          params: IdParams,
          body: Type.Partial(SubscriptionTypeBody, { additionalProperties: false }),
          response: { 200: SubscriptionType, ...errorResponses },
        },
      },
      async (request) => updateSubscriptionType(db, request.params.id, request.body),
    );
  };
