// The audit log's words: every action it records, named `<subject>.<verb>`. Import-free, so the web UI's filter reads
// the same list. The web UI labels them under
// `settings.audit.actions.<subject>.<verb>` in nb.json and en.json, and the typecheck fails when one is missing.
export const AUDIT_ACTIONS = [
  "sign-in.succeeded",
  "sign-in.failed",
  "api-key.created",
  "api-key.revoked",
  "user.created",
  "user.role-changed",
  "user.rights-changed",
  "user.changed",
  "settings.changed",
  "mailing.consent-override",
  "export.persons",
  "export.recipients",
  "export.blocked-addresses",
  "export.audit-log",
  "export.document",
  "export.form-submissions",
  "block.cleared",
  "person.data-exported",
  "person.erased",
  "suppression.cleared",
  "sending-account.created",
  "sending-account.changed",
  "sending-domain.created",
  "sending-domain.changed",
  "sending-domain.deleted",
  "image.uploaded",
  "image.deleted",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an entry is about: a table's row (`user`, `mailing`, `api-key`, …), or an address for blocks. */
export const AUDIT_TARGETS = [
  "user",
  "api-key",
  "mailing",
  "selection",
  "sending-account",
  "sending-domain",
  "address",
  "settings",
  "person",
  "suppression",
  "form",
  "image",
] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];
