// The shapes of the sending-domain routes' answers (/api/sending-domains): the routes serialise with them, the
// OpenAPI document describes them, and the web UI takes its types from them (type-only). Imports only typebox and
// shared/schemas.ts, since the web UI's compiler reads this file too.
import Type, { type Static } from "typebox";
import { Id, literals, Nullable } from "../shared/schemas.ts";

const STATUSES = ["pass", "warn", "fail", "unknown"] as const;
export const CheckStatusSchema = literals(STATUSES, {
  description:
    "pass: as it should be; warn: works but weak; fail: receivers will reject or junk; unknown: DNS did not answer",
});

export const RecordCheckSchema = Type.Object({
  status: CheckStatusSchema,
  message: Type.String({ description: "What was found and what to do, in English" }),
  records: Type.Array(Type.String(), { description: "The records the verdict was made from" }),
});

export const EhloCheckSchema = Type.Object({
  accountId: Id,
  accountName: Type.String(),
  name: Nullable(
    Type.String({ description: "The name the account gives in EHLO; null when it has none it may give" }),
  ),
  source: Nullable(
    literals(["account", "public-url"] as const, {
      description: "The account's own EHLO name, or the host of the public URL",
    }),
  ),
  check: Type.Object(RecordCheckSchema.properties, {
    description:
      "Forward-confirmed reverse DNS: pass when the name has an A/AAAA record and one of those addresses has a PTR record back to the name; warn when it has no address or no address points back (each address and its PTR named); fail when the account has no EHLO name it may give; an account that sends to a loopback relay passes, since receivers see the relay's name",
  }),
});

export const DomainCheckSchema = Type.Object({
  status: literals(STATUSES, {
    description:
      "The domain's verdict from SPF, DKIM and DMARC; the bounce domain and EHLO names are not in it",
  }),
  checkedAt: Type.String({ format: "date-time" }),
  spf: RecordCheckSchema,
  dkim: RecordCheckSchema,
  dmarc: RecordCheckSchema,
  bounce: RecordCheckSchema,
  ehlo: Type.Array(EhloCheckSchema, {
    description:
      "Every SMTP account's EHLO name with its A/AAAA and PTR records; reported beside the domain, not part of its status (empty in a result kept before this was checked)",
  }),
});

export const DnsRecordSchema = Type.Object({
  name: Type.String(),
  type: Type.Literal("TXT"),
  value: Type.String(),
});

export const DkimSignerSchema = Type.Union([Type.Literal("utsend"), Type.Literal("relay")], {
  description:
    "Who signs the domain's mail with DKIM: utsend, with the key it keeps (default), or the SMTP relay (Amazon SES, Mailgun, Postfix with OpenDKIM), with its own key; then utsend adds no signature",
});

/** The relay's selector: a DNS label, as the DKIM record's name `<selector>._domainkey.<domain>` needs. */
export const RelaySelectorSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: "^[A-Za-z0-9][A-Za-z0-9-]*$",
});

export const WarmUpInputSchema = Type.Object(
  {
    enabled: Type.Boolean({ description: "Off by default: no daily limit" }),
    startPerDay: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      description: "Messages the first UTC day allows (e.g. 500)",
    }),
    growth: Type.Number({
      minimum: 1.01,
      maximum: 10,
      description: "Each UTC day allows this many times the day before (e.g. 1.5)",
    }),
    untilPerDay: Type.Integer({
      minimum: 2,
      maximum: 100_000_000,
      description: "When a day would allow this many, the ramp is over and the domain has no daily limit",
    }),
    restart: Type.Optional(
      Type.Boolean({ description: "Begin the ramp again today (it begins today anyway when switched on)" }),
    ),
  },
  { additionalProperties: false },
);

export const WarmUpSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    startPerDay: Type.Integer(),
    growth: Type.Number(),
    untilPerDay: Type.Integer(),
    startedOn: Nullable(Type.String({ description: "The UTC day (YYYY-MM-DD) the ramp began: its day 0" })),
    allowanceToday: Nullable(
      Type.Integer({
        description:
          "Messages today's UTC day allows, counted over every mailing from the domain; null: no limit (off, or the ramp is over)",
      }),
    ),
  },
  {
    description:
      "The warm-up ramp of a new sending domain: messages beyond the day's allowance wait for the next UTC midnight",
  },
);

export const SendingDomainSchema = Type.Object({
  id: Id,
  domain: Type.String(),
  dkimSelector: Type.String({ description: "The selector of the key utsend keeps for the domain" }),
  dkimSigner: DkimSignerSchema,
  relayDkimSelector: Nullable(
    Type.String({ description: "With dkimSigner relay: the selector the relay's key is published under" }),
  ),
  bounceDomain: Type.String(),
  dnsRecords: Type.Array(DnsRecordSchema, { description: "Records that can be published as they are" }),
  advice: Type.Array(Type.String(), {
    description: "What depends on the set-up: SPF, the bounce MX, EHLO names",
  }),
  createdAt: Type.String({ format: "date-time" }),
  warmUp: WarmUpSchema,
  check: Nullable(
    Type.Object(DomainCheckSchema.properties, {
      description: "The last DNS check; null when the domain was never checked",
    }),
  ),
});

export type DnsCheckStatus = Static<typeof CheckStatusSchema>;
export type DnsRecordCheck = Static<typeof RecordCheckSchema>;
export type EhloCheck = Static<typeof EhloCheckSchema>;
export type DnsCheck = Static<typeof DomainCheckSchema>;
export type DnsRecord = Static<typeof DnsRecordSchema>;
export type SendingDomain = Static<typeof SendingDomainSchema>;
export type DkimSigner = Static<typeof DkimSignerSchema>;
export type WarmUpView = Static<typeof WarmUpSchema>;
export type WarmUpInput = Static<typeof WarmUpInputSchema>;
