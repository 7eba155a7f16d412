// The audit log's API shapes (validation, types and OpenAPI); imports only typebox and import-free word lists.
import Type, { type Static } from "typebox";
import { literals, Nullable, PageOf } from "../shared/schemas.ts";
import { AUDIT_ACTIONS } from "./actions.ts";

const DateOrTime = Type.String({
  pattern: "^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+Z?)?$",
  maxLength: 30,
  description: "A date (YYYY-MM-DD, UTC) or an ISO timestamp",
});

export const AuditFilterQuery = {
  action: Type.Optional(literals(AUDIT_ACTIONS)),
  actor: Type.Optional(
    Type.String({ maxLength: 254, description: "Part of the actor's e-mail or API key name" }),
  ),
  from: Type.Optional(DateOrTime),
  to: Type.Optional({
    ...DateOrTime,
    description: "A date includes that whole day; a timestamp is exclusive",
  }),
};

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actorUserId: Nullable(Type.Integer()),
  actor: Type.String({
    description: 'The user\'s e-mail, "<e-mail> (api key <name>)", "command line" or "anonymous"',
  }),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
});

export const AuditPageSchema = PageOf(AuditEntrySchema);
export type AuditEntry = Static<typeof AuditEntrySchema>;
