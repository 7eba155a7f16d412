// The spam check's API shapes (TypeBox): validation, OpenAPI and the web UI's types in one. The web UI's compiler
// reads this file too, so it imports only typebox and shared/schemas.ts.
import Type, { type Static } from "typebox";
import { Id, Nullable } from "../shared/schemas.ts";

const dismissal = {
  key: Type.String({ description: "What a dismissal names; stable while the same fault is there" }),
  message: Type.String({ description: "In English; the web UI words it from the code and the fields" }),
  dismissed: Type.Boolean(),
  reason: Nullable(Type.String({ description: "Why it was dismissed, when someone said" })),
  dismissedAt: Nullable(Type.String()),
};

export const SpamFindingSchema = Type.Union(
  [
    Type.Object({
      ...dismissal,
      code: Type.Literal("low-text-to-image"),
      textLength: Type.Integer(),
      images: Type.Integer({ description: "The open pixel and spacers included" }),
      pixelTipsIt: Type.Boolean({ description: "Without the open pixel this would not be flagged" }),
    }),
    Type.Object({
      ...dismissal,
      code: Type.Literal("image-only"),
      textLength: Type.Integer(),
      images: Type.Integer(),
    }),
    Type.Object({ ...dismissal, code: Type.Literal("short-text-part"), textLength: Type.Integer() }),
    Type.Object({
      ...dismissal,
      code: Type.Literal("link-domain-mismatch"),
      text: Type.String(),
      shownDomain: Type.String(),
      targetDomain: Type.String({ description: "From the URL in the content, before tracking" }),
    }),
    Type.Object({
      ...dismissal,
      code: Type.Literal("url-shortener"),
      url: Type.String(),
      domain: Type.String(),
    }),
    Type.Object({
      ...dismissal,
      code: Type.Literal("shouting-subject"),
      subject: Type.String(),
      kind: Type.Union([Type.Literal("all-caps"), Type.Literal("exclamation-marks")]),
    }),
    Type.Object({
      ...dismissal,
      code: Type.Literal("risky-attachment"),
      filename: Type.String(),
      kind: Type.Union([Type.Literal("executable"), Type.Literal("macro-document"), Type.Literal("archive")]),
    }),
    Type.Object({
      ...dismissal,
      code: Type.Literal("html-too-large"),
      bytes: Type.Integer(),
      limit: Type.Integer(),
    }),
  ],
  { description: "What utsend's own content checks found; a warning that never blocks sending" },
);

const Rule = Type.Object({
  name: Type.String({ description: "SpamAssassin's rule name, e.g. HTML_IMAGE_ONLY_04" }),
  points: Type.Number(),
  description: Type.String(),
});

export const SpamCheckSchema = Type.Object({
  recipientId: Nullable(Id),
  findings: Type.Array(SpamFindingSchema),
  spamAssassin: Type.Union([
    Type.Object(
      { kind: Type.Literal("unavailable") },
      { description: "No spamd configured or spamassassin installed" },
    ),
    Type.Object({
      kind: Type.Literal("failed"),
      scorer: Type.Union([Type.Literal("spamd"), Type.Literal("local")]),
      reason: Type.String(),
    }),
    Type.Object({
      kind: Type.Literal("scored"),
      scorer: Type.Union([Type.Literal("spamd"), Type.Literal("local")]),
      key: Type.String({ description: "What a dismissal of the score names" }),
      score: Type.Number(),
      required: Type.Number({ description: "SpamAssassin's threshold: at or over it the message is spam" }),
      rules: Type.Array(Rule),
      blocking: Type.Boolean({ description: "Blocks sending until dismissed with a reason" }),
      withoutOpenPixel: Nullable(
        Type.Object(
          { score: Type.Number(), rules: Type.Array(Rule) },
          { description: "The same message scored without the open pixel; null when opens are not tracked" },
        ),
      ),
      dismissed: Type.Boolean(),
      reason: Nullable(Type.String()),
      dismissedAt: Nullable(Type.String()),
    }),
  ]),
});

export const DismissSpamFindingSchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 2000 }),
    dismissed: Type.Boolean({ description: "false brings a dismissed finding back" }),
    reason: Type.Optional(
      Type.String({ maxLength: 1000, description: "Required to dismiss a blocking SpamAssassin score" }),
    ),
    recipientId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export type SpamCheck = Static<typeof SpamCheckSchema>;
export type SpamFinding = Static<typeof SpamFindingSchema>;
