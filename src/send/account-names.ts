// The name the first start gives the built-in outbox account (src/send/accounts.ts ensureOutboxAccount). The web UI
// shows an account still carrying it by its kind in the UI's language ("Lokal utboks"); a name a user gave is shown
// as given.
export const BUILT_IN_OUTBOX_NAME = "Local outbox";
