// The shapes of the SMS routes' answers (/api/mailings/:id/sms-*): the routes validate and serialise with them, and
// the web UI takes its types from them (type-only), so a change on one side that breaks the other fails typecheck.
import Type, { type Static } from "typebox";
import { literals, Nullable } from "../../../shared/schemas.ts";

const Encoding = literals(["gsm7", "ucs2"] as const);

export const SmsPreviewSchema = Type.Object({
  recipient: Nullable(
    Type.Object({ id: Type.Integer(), name: Type.String(), mobile: Nullable(Type.String()) }),
  ),
  text: Type.String({ description: "Merged, normalised when asked, with the opt-out line" }),
  encoding: Encoding,
  characters: Type.Integer({ description: "GSM-7 septets (^{}\\[~]|€ count 2) or UCS-2 code units" }),
  parts: Type.Integer(),
});

export const SmsSummarySchema = Type.Object({
  recipients: Type.Integer(),
  maxParts: Type.Integer({ description: "The most parts any eligible recipient's text needs" }),
  multipart: Type.Integer({ description: "Eligible recipients whose text needs more than one part" }),
  totalParts: Type.Integer(),
});

export const SmsTestSchema = Type.Object({
  sent: Type.Array(
    Type.Object({
      number: Type.String(),
      status: literals(["accepted", "failed"] as const),
      reply: Nullable(Type.String()),
    }),
  ),
});

export const SmsReplySchema = Type.Object({
  id: Type.Integer(),
  from: Type.String(),
  personId: Nullable(Type.Integer()),
  personName: Nullable(Type.String()),
  text: Type.String(),
  kind: literals(["opt-out", "reply"] as const),
  receivedAt: Type.String(),
});

export type SmsPreview = Static<typeof SmsPreviewSchema>;
export type SmsSummary = Static<typeof SmsSummarySchema>;
export type SmsTestResult = Static<typeof SmsTestSchema>;
export type SmsReply = Static<typeof SmsReplySchema>;
