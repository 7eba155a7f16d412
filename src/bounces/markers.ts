// Pattern tables that recognise reports, auto-replies, complaints and returned copies (data only).

/** One case-insensitive pattern from alternatives, so that a long table keeps one entry per line. */
function anyOf(alternatives: readonly string[], before = "", after = ""): RegExp {
  return new RegExp(`${before}(?:${alternatives.join("|")})${after}`, "i");
}

/**
 * Lines where the returned copy of the original message begins; text after them is not the server's report.
 */
export const RETURNED_MESSAGE_MARKERS: readonly RegExp[] = [
  anyOf(
    [
      "original message",
      "returned (?:mail|message)",
      "copy of (?:the|your) message",
      "header of the",
      "message header",
      "message text",
      "unsent message",
      "message (?:headers? )?follows",
      "source mail",
    ],
    "^[\\s|*=>-]*-{2,}.*\\b",
    "\\b",
  ),
  /^\s*-{2,}\s*(?:Below this line|Below the next line|Attachment is a copy|Mensaje original|附件)/i,
  /^\s*-{2,}\s*(?:This is a copy|The header of|Original message)/i,
  anyOf(
    [
      "Original message (?:follows|as received|headers)",
      "A copy of the original message",
      "Your message reads \\(in part\\)",
      "A summary of the undelivered message",
      "The first \\d+ lines of your original message",
      "Included is a copy of",
      "-- The header and top \\d+ lines",
    ],
    "^\\s*",
  ),
  /^\s*Content-Type:\s*(?:message\/(?:rfc822|global)|text\/rfc822-headers|message\/rfc822-headers)/i,
  /^>?(?:Received|Return-Path|DKIM-Signature|X-Received|Delivered-To):/i,
];

/** Local parts that belong to mail systems, never to the recipient who failed. */
export const SYSTEM_LOCAL_PARTS = anyOf(
  [
    "postmaster",
    "mailer-daemon",
    "mailer_daemon",
    "mail\\.delivery\\.system",
    "mdaemon",
    "abuse",
    "hostmaster",
    "noc",
    "no-?reply",
    "bounces?",
  ],
  "^",
  "$",
);

/** Who sends non-standard bounces: a message from one of these is a report, never a person's auto-reply. */
export const BOUNCE_SENDER = anyOf(
  [
    "mailer-daemon",
    "mailer_daemon",
    "postmaster",
    "mail delivery (?:system|subsystem)",
    "mdaemon",
    "mail\\.delivery\\.system",
    "system administrator",
    "_smtp_mail_service",
    "antivirus",
    "interscan",
    "imss",
  ],
  "(?:\\b|_)",
  "\\b",
);

/** Subjects that reports use. "Warning:" alone is not enough: one corpus bounce is final despite it. */
export const BOUNCE_SUBJECT = anyOf([
  "undeliver",
  "undelivered",
  "delivery (?:status|failure|failed|problem|notification)",
  "returned mail",
  "returned to sender",
  "returning (?:message )?to sender",
  "failure notice",
  "failure delivery",
  "mail delivery",
  "non-?delivery",
  "not delivered",
  "could not be delivered",
  "mail (?:system )?error",
  "mail fail(?:ed|ure)",
  "failed mail",
  "processing error",
  "nameserver error",
  "delayed mail",
  // Reports in other languages.
  "メールエラー",
  "エラー通知",
  "配信(?:エラー|失敗)",
  "不達",
  "unzustellbar",
  "nicht zustellbar",
  "non remis",
  "non recapitabile",
  "no entregado",
  "onbestelbaar",
  "недоставлен",
]);

/** RFC 3834 and vendor markers of auto-replies (vacation, out-of-office). */
export const AUTOREPLY_SUBJECT = anyOf(
  [
    "automatic reply",
    "auto(?:matic)?[ -]?(?:reply|response|antwort)",
    "out of (?:the )?office",
    "abwesenheit",
    "r[ée]ponse automatique",
    "respuesta autom[áa]tica",
    "risposta automatica",
    "vacation",
    "away from (?:my|the) (?:desk|office)",
  ],
  "^",
  "\\b",
);

/** Words that mark a line as talking about a failed recipient; an address elsewhere is only mentioned. */
export const FAILURE_CONTEXT = anyOf([
  "unknown",
  "not (?:found|known|listed|exist|recognized|deliver|reach|collected|accept)",
  "no such",
  "invalid",
  "undeliver",
  "could ?n[o']t",
  "cannot",
  "can't",
  "unable",
  "fail",
  "reject",
  "refused",
  "disabled",
  "discontinued",
  "quota",
  "full",
  "exceed",
  "unavailable",
  "does ?n[o']t",
  "no longer",
  "wasn't able",
  "did not",
  "addressed",
  "recipient",
  "deliver(?:ed|y)? to",
  "intended",
  "error",
  "bounce",
  "returned",
  "delayed",
  "postponed",
  "account",
]);

/**
 * Feedback types (RFC 5965) that mean a person complained; others (auth-failure, not-spam…) are reports only.
 */
export const COMPLAINT_FEEDBACK_TYPES = new Set(["abuse", "fraud", "opt-out", "opt-out-list"]);
