// The Confirm step's spam check: the message one recipient would get, built as the send path builds it, scored by
// SpamAssassin (where there is one) and by utsend's own content checks. SpamAssassin is slow (1–3 s), so its
// outcome is kept per message content; a score at or over SpamAssassin's threshold blocks sending until a marketer
// dismisses it with a reason. The one writer of `spam:` dismissals (accessibility.ts writes the others).
import { createHash } from "node:crypto";
import type { Db } from "../db/connect.ts";
import { emailMessageId, recipientLinks } from "../deliveries/identity.ts";
import { type Keyring, verifyLinkToken } from "../deliveries/tokens.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { pickPreviewRecipient } from "../mailings/recipients.ts";
import type { Problem } from "../mailings/steps.ts";
import { requireEditable } from "../mailings/store.ts";
import { buildMessage, type OutgoingMessage } from "../send/channels/email/message.ts";
import { prepareMailing, renderDelivery } from "../send/channels/email/prepare.ts";
import { isoNow } from "../shared/clock.ts";
import { invalid } from "../shared/errors.ts";
import { withoutOpenPixel } from "../track/links.ts";
import { type ContentFinding, contentChecks } from "./content-checks.ts";
import { type SpamOutcome, type SpamRule, type SpamScorer, scoreWithSpamAssassin } from "./spamassassin.ts";

export type Dismissal = { dismissed: boolean; reason: string | null; dismissedAt: string | null };
export type SpamAssassinResult =
  | { kind: "unavailable" }
  | { kind: "failed"; scorer: "spamd" | "local"; reason: string }
  | ({
      kind: "scored";
      scorer: "spamd" | "local";
      key: string;
      score: number;
      required: number;
      rules: SpamRule[];
      /** At or over `required`: blocks sending until dismissed with a reason. */
      blocking: boolean;
      /** The same message without the open pixel; null when the mailing does not track opens. */
      withoutOpenPixel: { score: number; rules: SpamRule[] } | null;
    } & Dismissal);
export type SpamCheck = {
  recipientId: number | null;
  findings: Array<ContentFinding & Dismissal>;
  spamAssassin: SpamAssassinResult;
};
export type SpamChecker = ReturnType<typeof createSpamChecker>;

export const SPAM_KEY_PREFIX = "spam:";
const CACHE_SIZE = 100;
const CHECKED_PER_MAILING = 5;

/** The raw message as scored (the bytes a delivery gets, but for its Date and signature) and its outcomes. */
type Scored = { raw: Buffer; withPixel: SpamOutcome; withoutPixel: SpamOutcome | null };

export function createSpamChecker(deps: {
  db: Db;
  scorer: SpamScorer;
  /** Read when used: the public address is known only once the server listens. */
  send: () => { publicUrl: string; keys: Keyring };
}) {
  const { db } = deps;
  // SpamAssassin outcomes by a hash of the message as sent (Date and signature left out): an edit is a new entry.
  const cache = new Map<string, Promise<Scored>>();
  // Recipients checked per mailing, so Send weighs every score a marketer has seen, not only the first recipient's.
  const checked = new Map<number, Set<number | null>>();

  async function render(mailingId: number, recipientId?: number) {
    const { publicUrl, keys } = deps.send();
    const prepared = await prepareMailing(db, mailingId);
    const mailing = await db
      .selectFrom("mailings")
      .select(["track_opens"])
      .where("id", "=", mailingId)
      .executeTakeFirstOrThrow();
    const recipient = await pickPreviewRecipient(db, mailingId, "email", recipientId);
    if (!recipient) {
      throw invalid([
        {
          field: "recipientId",
          message: "the mailing has no recipient to check the message for",
          kind: "no-recipient",
        },
      ]);
    }
    const values = (
      await loadRecipientValues(db, [{ recipientId: recipient.id, email: recipient.email! }])
    ).get(recipient.id)!;
    // The delivery does not exist yet: its links are delivery 0's, its Message-ID the one attempt 1 will get.
    const { message } = renderDelivery(
      prepared,
      {
        id: 0,
        email: recipient.email!,
        messageId: emailMessageId({ mailingId, recipientId: recipient.id, attempt: 1 }, prepared.fromDomain),
      },
      values,
      recipientLinks(publicUrl, keys, 0),
      keys,
      { publicUrl },
    );
    const originals = new Map<string, string>();
    const clickPrefix = `${publicUrl}/t/c/`;
    for (const [, href] of message.html.matchAll(/href="([^"]+)"/g)) {
      if (!href!.startsWith(clickPrefix)) continue;
      const token = verifyLinkToken(keys, href!.slice(clickPrefix.length));
      const url = token && prepared.trackedLinks.get(token.linkId);
      if (url) originals.set(href!, url);
    }
    return {
      recipientId: recipient.id,
      message,
      noPixel: mailing.track_opens ? { ...message, html: withoutOpenPixel(message.html, publicUrl) } : null,
      originalUrl: (href: string) => originals.get(href) ?? href,
    };
  }

  function spamAssassin(message: OutgoingMessage, noPixel: OutgoingMessage | null): Promise<Scored> {
    const key = contentHash(message);
    const cached = cache.get(key);
    if (cached) return cached;
    const scoring = (async () => {
      const raw = await buildMessage(message);
      const [withPixel, withoutPixel] = await Promise.all([
        scoreWithSpamAssassin(deps.scorer, raw),
        noPixel && deps.scorer.kind !== "none"
          ? buildMessage(noPixel).then((bytes) => scoreWithSpamAssassin(deps.scorer, bytes))
          : null,
      ]);
      // A timeout or an unreachable spamd is tried again next time.
      if (withPixel.kind === "failed" || withoutPixel?.kind === "failed") cache.delete(key);
      return { raw, withPixel, withoutPixel };
    })();
    cache.set(key, scoring);
    scoring.catch(() => cache.delete(key));
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return scoring;
  }

  async function dismissals(mailingId: number): Promise<Map<string, Dismissal>> {
    const rows = await db
      .selectFrom("mailing_dismissed_warnings")
      .select(["warning_key", "reason", "dismissed_at"])
      .where("mailing_id", "=", mailingId)
      .where("warning_key", "like", `${SPAM_KEY_PREFIX}%`)
      .execute();
    return new Map(
      rows.map((r) => [r.warning_key, { dismissed: true, reason: r.reason, dismissedAt: r.dismissed_at }]),
    );
  }

  async function check(mailingId: number, recipientId?: number): Promise<SpamCheck> {
    const rendered = await render(mailingId, recipientId);
    const { message } = rendered;
    const findings = contentChecks({
      subject: message.subject,
      html: message.html,
      text: message.text,
      attachments: message.attachments ?? [],
      originalUrl: rendered.originalUrl,
    });
    const scored = await spamAssassin(message, rendered.noPixel);
    const dismissed = await dismissals(mailingId);
    const notDismissed: Dismissal = { dismissed: false, reason: null, dismissedAt: null };
    const seen = checked.get(mailingId) ?? new Set();
    seen.delete(recipientId ?? null);
    seen.add(recipientId ?? null);
    // The last few: after an edit each is scored again at Send, a second or more apiece.
    if (seen.size > CHECKED_PER_MAILING) seen.delete(seen.values().next().value!);
    checked.set(mailingId, seen);
    return {
      recipientId: rendered.recipientId,
      findings: findings.map((f) => ({
        ...f,
        key: SPAM_KEY_PREFIX + f.key,
        ...(dismissed.get(SPAM_KEY_PREFIX + f.key) ?? notDismissed),
      })),
      spamAssassin: spamAssassinResult(scored, (key) => dismissed.get(key) ?? notDismissed),
    };
  }

  return {
    check,

    /** The raw message the check scored for this recipient (message/rfc822), to score it elsewhere too. */
    async message(mailingId: number, recipientId?: number): Promise<Buffer> {
      const rendered = await render(mailingId, recipientId);
      return (await spamAssassin(rendered.message, rendered.noPixel)).raw;
    },

    /** Dismisses (or brings back) one of the check's current findings; a blocking score needs a reason. */
    async dismiss(
      mailingId: number,
      input: { key: string; dismissed: boolean; reason?: string; recipientId?: number },
      userId: number | null,
    ): Promise<SpamCheck> {
      await requireEditable(db, mailingId);
      if (!input.key.startsWith(SPAM_KEY_PREFIX))
        throw invalid([
          {
            field: "key",
            message: `"${input.key}" is not a spam finding's key`,
            kind: "unknown-reference",
            params: { what: "warning", id: input.key },
          },
        ]);
      if (!input.dismissed) {
        await db
          .deleteFrom("mailing_dismissed_warnings")
          .where("mailing_id", "=", mailingId)
          .where("warning_key", "=", input.key)
          .execute();
        return check(mailingId, input.recipientId);
      }
      const current = await check(mailingId, input.recipientId);
      const sa = current.spamAssassin;
      const isScore = sa.kind === "scored" && sa.key === input.key;
      if (!isScore && !current.findings.some((f) => f.key === input.key))
        throw invalid([
          {
            field: "key",
            message: `"${input.key}" is not one of this message's spam findings`,
            kind: "unknown-reference",
            params: { what: "warning", id: input.key },
          },
        ]);
      const reason = input.reason?.trim() || null;
      if (isScore && sa.blocking && !reason)
        throw invalid([
          {
            field: "reason",
            message: "say why this message may be sent despite its spam score",
            kind: "required",
          },
        ]);
      await db
        .insertInto("mailing_dismissed_warnings")
        .values({
          mailing_id: mailingId,
          warning_key: input.key,
          dismissed_by: userId,
          dismissed_at: isoNow(),
          reason,
        })
        .onConflict((oc) => oc.columns(["mailing_id", "warning_key"]).doUpdateSet({ reason }))
        .execute();
      return check(mailingId, input.recipientId);
    },

    /**
     * What stops Send: a SpamAssassin score at or over its threshold that nobody dismissed, for the first recipient
     * and the last five checked at Confirm. None for other types, without SpamAssassin, or when it failed.
     */
    async blockingProblems(mailingId: number): Promise<Problem[]> {
      const mailing = await db
        .selectFrom("mailings")
        .select(["type", "status"])
        .where("id", "=", mailingId)
        .executeTakeFirst();
      // Only what can still start is checked; the lifecycle refuses the rest with its own error.
      if (
        !mailing ||
        (mailing.status !== "draft" && mailing.status !== "scheduled") ||
        mailing.type === "sms" ||
        mailing.type === "document" ||
        deps.scorer.kind === "none"
      )
        return [];
      const problems: Problem[] = [];
      for (const recipientId of new Set([null, ...(checked.get(mailingId) ?? [])])) {
        let result: SpamCheck;
        try {
          result = await check(mailingId, recipientId ?? undefined);
        } catch {
          // A recipient removed since, or content that cannot be built: the mailing's own problems say so.
          continue;
        }
        const sa = result.spamAssassin;
        if (sa.kind === "scored" && sa.blocking && !sa.dismissed)
          problems.push({
            step: "confirm",
            code: "spam-score",
            message: `SpamAssassin scores the message ${sa.score} (${sa.required} is spam): dismiss it with a reason to send`,
          });
        if (problems.length > 0) break;
      }
      return problems;
    },
  };
}

function spamAssassinResult(scored: Scored, dismissal: (key: string) => Dismissal): SpamAssassinResult {
  const o = scored.withPixel;
  if (o.kind !== "scored") return o;
  const key = `${SPAM_KEY_PREFIX}spamassassin:${ruleHash(o.rules)}`;
  const without = scored.withoutPixel;
  return {
    kind: "scored",
    scorer: o.scorer,
    key,
    score: o.score,
    required: o.required,
    rules: o.rules,
    blocking: o.score >= o.required,
    withoutOpenPixel: without?.kind === "scored" ? { score: without.score, rules: without.rules } : null,
    ...dismissal(key),
  };
}

/** The same rules firing keep a dismissal; a rule more or less asks again. */
function ruleHash(rules: SpamRule[]): string {
  const names = rules.map((r) => r.name).sort();
  return createHash("sha256").update(names.join(",")).digest("hex").slice(0, 16);
}

function contentHash(m: OutgoingMessage): string {
  const hash = createHash("sha256");
  const { attachments, dkim: _dkim, ...rest } = m;
  hash.update(JSON.stringify(rest));
  for (const a of attachments ?? []) hash.update(a.filename).update(a.content);
  return hash.digest("hex");
}
