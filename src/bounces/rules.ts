// The rules table: what the words and codes of returned mail mean (data only, no parsing), in priority order.
import type { Category } from "./types.ts";

export type CategoryRule = { category: Category; pattern: RegExp };

/**
 * How each category turns into a kind. "soft" wins even over a 5xx code, because the manifest's rules (and
 * RFC 3463 for X.2.2) count a full mailbox, an expired queue lifetime or a resend request as transient
 * whatever code the server chose. "hard" yields to a 4.x.x/4xx code, since a temporary code means the server
 * may yet accept the mail.
 */
export const CATEGORY_KINDS: Record<Category, { kind: "hard" | "soft"; status: string }> = {
  delayed: { kind: "soft", status: "4.0.0" },
  "mailbox-full": { kind: "soft", status: "5.2.2" },
  expired: { kind: "soft", status: "4.4.7" },
  resend: { kind: "soft", status: "4.3.0" },
  "rate-limited": { kind: "soft", status: "4.7.0" },
  "user-unknown": { kind: "hard", status: "5.1.1" },
  "mailbox-disabled": { kind: "hard", status: "5.2.1" },
  moved: { kind: "hard", status: "5.1.6" },
  "domain-unknown": { kind: "hard", status: "5.1.2" },
  loop: { kind: "hard", status: "5.4.6" },
  content: { kind: "hard", status: "5.6.0" },
  policy: { kind: "hard", status: "5.7.1" },
  system: { kind: "hard", status: "5.3.0" },
  unspecified: { kind: "hard", status: "5.0.0" },
};

/**
 * Text that says the message is only late, not returned. Checked before the failure rules, because warnings
 * often quote the failure that delays them ("fatal errors … will be retried for 4 more days").
 */
export const DELAY_PATTERNS: readonly RegExp[] = [
  /THIS IS A WARNING/i,
  /has not yet been delivered/i,
  /\bdelivery (?:to the following recipients? )?has been delayed/i,
  /\bwill be retried\b/i,
  /\bretried (?:for|until) /i,
  /\bstill being retried\b/i,
  /\bwill continue to (?:try|attempt)/i,
  /\bdelivery attempts will continue\b/i,
  /\bhas been postponed\b/i,
  /\bno action is required on your part\b/i,
];

/**
 * Causes, most specific first; the first category that matches wins. Soft causes come first: a full mailbox
 * or an expired queue is often reported with words ("permanent error", "undeliverable") that would otherwise
 * read as hard.
 */
export const CATEGORY_RULES: readonly CategoryRule[] = [
  // Full mailbox or over quota (RFC 3463 X.2.2 is a persistent transient condition).
  { category: "mailbox-full", pattern: /\bmail ?box (?:is )?(?:full|over ?quota)\b/i },
  {
    category: "mailbox-full",
    pattern: /\bfull mail ?box\b|\bmail ?(?:box|folder) (?:is )?full\b|mailfolder is full/i,
  },
  { category: "mailbox-full", pattern: /\bmail ?box space not enough\b|\bhas too much mail stored\b/i },
  {
    category: "mailbox-full",
    pattern: /\bover (?:his |her |their |the )?(?:disk |mailbox |storage )?quota\b/i,
  },
  {
    category: "mailbox-full",
    pattern: /\b(?:disk |mailbox |storage |mail )?quota (?:exceeded|violation|exceed|full)\b/i,
  },
  {
    category: "mailbox-full",
    pattern:
      /\bexceed(?:s|ed|ing)? (?:the |their |his |her |your )?(?:disk |mailbox |storage |mail )?quota\b/i,
  },
  { category: "mailbox-full", pattern: /\breached (?:the |their |his |her )?(?:disk |mailbox )?quota\b/i },
  {
    category: "mailbox-full",
    pattern:
      /\bdisk quota\b|\bmailbox (?:size )?limit exceeded\b|\bstorage limit\b|exceeded storage allocation/i,
  },

  // Given up after retrying or after the queue lifetime (timeouts, unreachable hosts, transient DNS
  // failures).
  { category: "expired", pattern: /\bretry timeout exceeded\b|\bretry time not reached\b/i },
  {
    category: "expired",
    pattern: /\bin the queue too long\b|\bnot reachable within the allowed queue period\b/i,
  },
  { category: "expired", pattern: /\bnot (?:been )?delivered within \d+ (?:days?|hours?)\b/i },
  { category: "expired", pattern: /\bdelivery failed \d+ attempts\b|\bmaximum delivery attempts\b/i },
  { category: "expired", pattern: /\baborted after [\d.]+ (?:hour|day|minute)/i },
  { category: "expired", pattern: /\bmessage (?:has )?(?:expired|timed out)\b|\bconnection timed out\b/i },
  {
    category: "expired",
    pattern: /\bnot found, try again\b|\bcould not be delivered for \d+ (?:days|hours)\b/i,
  },

  // The receiver failed while processing and asks for the message again.
  { category: "resend", pattern: /\bprocessing error\b|\bplease (?:try to )?resend this message\b/i },

  // The address is permanently bad.
  { category: "moved", pattern: /\bno longer on (?:this )?server\b|\bnot our user\b|\bhas moved\b/i },
  {
    category: "mailbox-disabled",
    pattern: /\b(?:account|mail ?box|address) (?:has been |is |was )?(?:disabled|discontinued|deactivated)/i,
  },
  {
    category: "mailbox-disabled",
    pattern: /\b(?:account|mail ?box|address) (?:has been |is |was )?suspended/i,
  },
  {
    category: "mailbox-disabled",
    pattern: /\bhas been disabled or discontinued\b|\bnot been collected after\b/i,
  },
  { category: "mailbox-disabled", pattern: /\binactive (?:e-?mail|account|user|mailbox)\b/i },
  { category: "user-unknown", pattern: /\buser (?:unknown|not (?:found|known|listed))\b/i },
  { category: "user-unknown", pattern: /\bunknown (?:or illegal )?(?:user|recipient|local part|address)\b/i },
  { category: "user-unknown", pattern: /\bwasn't found at\b|\baddress not found\b/i },
  { category: "user-unknown", pattern: /\bno such (?:user|mailbox|recipient|address|account|local user)\b/i },
  {
    category: "user-unknown",
    pattern: /\bno mailbox here by that name\b|\bnot listed in (?:the )?[\w ]*directory\b/i,
  },
  { category: "user-unknown", pattern: /\brecipient name is not recognized\b|\baddressee unknown\b/i },
  {
    category: "user-unknown",
    pattern: /\binvalid (?:final delivery userid|recipient|mailbox|address|user)\b/i,
  },
  { category: "user-unknown", pattern: /\b(?:doesn't|does not) have an? [\w.-]+ account\b/i },
  {
    category: "user-unknown",
    pattern: /\b(?:address|mailbox|user|account|recipient)[^.\n]{0,40}(?:does not|doesn't) exist\b/i,
  },
  { category: "user-unknown", pattern: /\bcouldn't be found\b|\bRecipNotFound\b|\brecipient not found\b/i },
  {
    category: "user-unknown",
    pattern: /\bwrong or no longer valid\b|\bno (?:longer a )?valid (?:user|recipient)\b/i,
  },
  { category: "user-unknown", pattern: /\bdoes not have a final e-?mail delivery point\b/i },
  {
    category: "user-unknown",
    pattern: /\bdid not (?:exactly )?match (?:any |an? )?(?:[\w-]+ )?(?:e-?mail )?(?:address|user|account)/i,
  },
  {
    category: "user-unknown",
    pattern: /\bno matches to nameserver query\b|\bnot (?:a )?[\w-]+ e-?mail users?\b/i,
  },
  {
    category: "user-unknown",
    pattern: /\bmailbox (?:unavailable|not found|is unavailable)\b|\binvalid mailbox\b/i,
  },
  { category: "user-unknown", pattern: /\bn'existe pas\b|\bunbekannt\b|\bsconosciuto\b/i },
  {
    category: "domain-unknown",
    pattern: /\bunknown host\b|\bhost unknown\b|\bhost or domain name not found\b|\bno mx record\b/i,
  },
  {
    category: "domain-unknown",
    pattern: /\bcouldn't find any host named\b|\bdomain (?:is )?not reachable\b/i,
  },
  {
    category: "domain-unknown",
    pattern:
      /\b(?:account or )?domain (?:may )?(?:does )?not exist\b|\bno such domain\b|\bdomain not found\b/i,
  },
  { category: "domain-unknown", pattern: /\bunrouteable address\b|\binvalid domain\b/i },

  // Refused for the message or the sender, not the address. Hard on a 5xx per the corpus labelling rules.
  { category: "loop", pattern: /\btoo many hops\b|\bmail loop\b|\bmessage looping\b|\bloop detected\b/i },
  { category: "rate-limited", pattern: /\btoo many (?:connections|messages|recipients)\b|\brate limit/i },
  { category: "content", pattern: /\bspam\b|\bvirus\b|\bcontent (?:rejected|filter)/i },
  {
    category: "content",
    pattern: /\b(?:message|mail) (?:size|too (?:large|big))|\bexceeds? (?:the )?(?:maximum )?size\b/i,
  },
  { category: "content", pattern: /\bmaximum (?:inbound )?message size\b/i },
  {
    category: "policy",
    pattern: /\bblock ?list|\bblack ?list|\bblocked\b|\bRBL\b|\bbanned\b|\breputation\b/i,
  },
  { category: "policy", pattern: /\bSPF\b|\bDMARC\b|\bDKIM\b|\bauthenticat|\bnot accepting mail from\b/i },
  {
    category: "policy",
    pattern: /\bpolicy\b|\brelay(?:ing)? (?:denied|not permitted|access denied)\b|\brefused to relay/i,
  },
  { category: "system", pattern: /\bcommand died\b|\bmailer error\b|\blocal delivery failed\b/i },

  // A failure with no stated cause: hard when final (manifest rule 4).
  { category: "unspecified", pattern: /\bpermanent(?:ly)?\b|\bfatal\b|\bundeliverable\b|\bdid not reach\b/i },
  { category: "unspecified", pattern: /\bcould(?: not|n't) be delivered\b/i },
  {
    category: "unspecified",
    pattern: /\bunable to deliver\b|\bnot (?:be )?delivered\b|\bdelivery (?:to .{1,80})?failed\b/i,
  },
  { category: "unspecified", pattern: /\bfailed\b|\bfailure\b|\bcannot be delivered\b|\bnon-delivery\b/i },
  // The same in reports written in other languages only.
  {
    category: "unspecified",
    pattern: /无法(?:发送|送达|投递)|投递失败|退信|配信(?:でき|に失敗)|届きませんでした/,
  },
  {
    category: "unspecified",
    pattern: /не (?:может быть |был[оа]? )?доставлен|n'a pas pu (?:être|etre) (?:remis|d[ée]livr)/i,
  },
  {
    category: "unspecified",
    pattern: /konnte nicht zugestellt|unzustellbar|no (?:se )?(?:ha )?pod(?:ido|ía) entregar/i,
  },
];

/** What an RFC 3463 status says by itself, for statuses more specific than X.0.0. First match wins. */
export const STATUS_CATEGORIES: readonly { pattern: RegExp; category: Category }[] = [
  { pattern: /^[45]\.2\.2$/, category: "mailbox-full" },
  { pattern: /^(?:4\.4\.\d+|5\.4\.7)$/, category: "expired" },
  { pattern: /^5\.1\.6$/, category: "moved" },
  { pattern: /^5\.(?:1\.[24]|4\.4)$/, category: "domain-unknown" },
  { pattern: /^5\.1\.(?:[1-9]|\d{2,3})$/, category: "user-unknown" },
  { pattern: /^5\.2\.1$/, category: "mailbox-disabled" },
  { pattern: /^5\.4\.6$/, category: "loop" },
  { pattern: /^5\.(?:2\.3|3\.4|6\.\d+)$/, category: "content" },
  { pattern: /^[45]\.7\.\d+$/, category: "policy" },
  { pattern: /^4\.\d+\.\d+$/, category: "delayed" },
];
