// /api/blocked-addresses and /api/mailings/:id/bounces: returned mail as marketers see it, and what they do about it.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { BLOCKED_REASONS, exportBlocked, listBlocked, mailingBounces } from "../../bounces/blocked.ts";
import {
  addAddressPersonsToProject,
  addAddressPersonsToSelection,
  clearBlocks,
  correctAddress,
  deleteAddresses,
  markFormerEmployees,
} from "../../bounces/corrections.ts";
import { CONTENT_TYPES } from "../../imports/export.ts";
import { notFound } from "../../shared/errors.ts";
import { audit } from "../audit.ts";
import { errorResponses, Id, IdParams, literals, Nullable, PageOf, type RouteDeps } from "../schemas.ts";

const Address = Type.String({ minLength: 3, maxLength: 254 });
const Addresses = Type.Array(Address, { minItems: 1, maxItems: 1000 });
const Reason = literals(BLOCKED_REASONS);
const BlockedQuery = {
  reason: Type.Optional(Reason),
  q: Type.Optional(Type.String({ maxLength: 200 })),
};
const AddressPerson = Type.Object({
  id: Type.Integer(),
  fullName: Type.String(),
  formerEmployee: Type.Boolean(),
});
const BlockedAddress = Type.Object({
  address: Type.String(),
  reason: literals([...BLOCKED_REASONS, "other"] as const),
  statusCode: Nullable(Type.String()),
  diagnostic: Nullable(Type.String()),
  count: Type.Integer(),
  updatedAt: Type.String(),
  lastMailingId: Nullable(Type.Integer()),
  persons: Type.Array(AddressPerson),
});
const MailingBounce = Type.Object({
  deliveryId: Type.Integer(),
  recipientId: Type.Integer(),
  attempt: Type.Integer(),
  address: Type.String(),
  kind: literals(["hard", "soft", "complaint"] as const),
  statusCode: Nullable(Type.String()),
  diagnostic: Nullable(Type.String()),
  at: Type.String(),
  person: Nullable(AddressPerson),
  blocked: Type.Boolean(),
  resent: Type.Boolean(),
});
const ResendOutcome = Type.Object({
  mailingId: Type.Integer(),
  created: Type.Array(
    Type.Object({
      recipientId: Type.Integer(),
      deliveryId: Type.Integer(),
      email: Type.String(),
      attempt: Type.Integer(),
    }),
  ),
  skipped: Type.Array(Type.Object({ recipientId: Type.Integer(), reason: Type.String() })),
});
const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const bounceRoutes =
  (deps: RouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { db } = deps;
    const tags = ["bounces"];

    app.get(
      "/blocked-addresses",
      {
        schema: {
          tags,
          summary:
            "Blocked addresses, newest first, with the reply that blocked them and the persons having them",
          querystring: strict({
            ...BlockedQuery,
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            offset: Type.Integer({ minimum: 0, maximum: 100_000_000, default: 0 }),
          }),
          response: { 200: PageOf(BlockedAddress) },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        return listBlocked(db, filter, { limit, offset });
      },
    );

    app.get(
      "/blocked-addresses/export",
      {
        config: { access: "export" },
        schema: {
          tags,
          summary: "Export the blocked addresses (same filters) as CSV or XLSX, streamed",
          querystring: strict({
            ...BlockedQuery,
            format: literals(["csv", "xlsx"] as const, { default: "csv" }),
            delimiter: Type.Optional(literals([",", ";"] as const)),
          }),
        },
      },
      async (request, reply) => {
        const { format, delimiter, ...filter } = request.query;
        await audit(db, request, { action: "export.blocked-addresses", detail: { format, ...filter } });
        const day = new Date().toISOString().slice(0, 10);
        return reply
          .header("content-type", CONTENT_TYPES[format])
          .header("content-disposition", `attachment; filename="blocked-addresses-${day}.${format}"`)
          .header("cache-control", "no-store")
          .send(exportBlocked(db, filter, format, { delimiter }));
      },
    );

    app.post(
      "/blocked-addresses/clear",
      {
        schema: {
          tags,
          summary: "Clear the blocks of the addresses: they may be mailed again",
          body: strict({ addresses: Addresses }),
          response: { 200: Type.Object({ cleared: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) => {
        const result = await clearBlocks(db, request.body.addresses);
        await audit(db, request, {
          action: "block.cleared",
          detail: { addresses: request.body.addresses, cleared: result.cleared },
        });
        return result;
      },
    );

    app.post(
      "/blocked-addresses/correct",
      {
        // A correction sends the mailings the old address missed, so it needs the right to send.
        config: { access: "send" },
        schema: {
          tags,
          summary:
            "Correct an address on every person having it, clear its block, and send the mailings it bounced in again to the new address",
          body: strict({ address: Address, newAddress: Address }),
          response: {
            200: Type.Object({ persons: Type.Integer(), resent: Type.Array(ResendOutcome) }),
            ...errorResponses,
          },
        },
      },
      async (request) => correctAddress(db, request.body.address, request.body.newAddress),
    );

    app.post(
      "/blocked-addresses/add-to-selection",
      {
        schema: {
          tags,
          summary: "Add the persons having the addresses to a static selection",
          body: strict({ addresses: Addresses, selectionId: Id }),
          response: { 200: Type.Object({ added: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) => addAddressPersonsToSelection(db, request.body.addresses, request.body.selectionId),
    );

    app.post(
      "/blocked-addresses/add-to-project",
      {
        schema: {
          tags,
          summary: "Add the persons having the addresses to a project",
          body: strict({ addresses: Addresses, projectId: Id }),
          response: { 200: Type.Object({ added: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) => addAddressPersonsToProject(db, request.body.addresses, request.body.projectId),
    );

    app.post(
      "/blocked-addresses/mark-former-employee",
      {
        schema: {
          tags,
          summary: "Mark the persons having the addresses as former employees",
          body: strict({ addresses: Addresses }),
          response: { 200: Type.Object({ persons: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) => markFormerEmployees(db, request.body.addresses),
    );

    app.post(
      "/blocked-addresses/delete-address",
      {
        schema: {
          tags,
          summary: "Delete the addresses from every person having them (the block stays)",
          body: strict({ addresses: Addresses }),
          response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) => deleteAddresses(db, request.body.addresses),
    );

    app.get(
      "/mailings/:id/bounces",
      {
        schema: {
          tags,
          summary:
            "The mailing's deliveries that came back: refused at send time, bounced later, or complained about",
          params: IdParams,
          querystring: strict({
            kind: Type.Optional(literals(["hard", "soft", "complaint"] as const)),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            offset: Type.Integer({ minimum: 0, maximum: 100_000_000, default: 0 }),
          }),
          response: { 200: PageOf(MailingBounce), ...errorResponses },
        },
      },
      async (request) => {
        const found = await db
          .selectFrom("mailings")
          .select("id")
          .where("id", "=", request.params.id)
          .executeTakeFirst();
        if (!found) throw notFound("mailing", request.params.id);
        const { limit, offset, kind } = request.query;
        return mailingBounces(db, request.params.id, { kind }, { limit, offset });
      },
    );
  };
