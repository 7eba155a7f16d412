// Table types for Kysely. Timestamps are UTC ISO strings; flags are 0/1 integers (SQLite has no booleans).
import type { Generated } from "kysely";
import type { StoredBlockReason } from "./block-reasons.ts";

type Id = Generated<number>;
type Flag = number;

export type MailingType = "email" | "sms" | "document" | "form";
export type MailingStatus = "draft" | "scheduled" | "sending" | "paused" | "finished" | "cancelled";
/** SPEC §7: pending → claimed (leased, nothing sent) → sending (handed to SMTP) → sent | failed | unknown; later bounced or complained. */
export type DeliveryStatus =
  | "pending"
  | "claimed"
  | "sending"
  | "sent"
  /** SMS: the provider's delivery report says it reached the phone. */
  | "delivered"
  | "failed"
  | "bounced"
  | "complained"
  | "unknown"
  | "cancelled"
  /** Documents: the letter is in the generated PDF (SPEC §13). */
  | "generated";
export type FormStatus = "draft" | "published" | "unpublished";
export type FormProcessingMode = "automatic" | "automatic-if-match" | "manual";
export type FormSubmissionStatus =
  | "submitted"
  | "awaiting-confirmation"
  | "processed"
  | "rejected"
  | "expired";
export type LinkActionKind = "add-to-selection" | "add-to-project" | "add-interest" | "remove-interest";
export type EventKind =
  | "sent"
  | "delivered"
  | "failed"
  | "bounced"
  | "opened"
  | "clicked"
  | "unsubscribed"
  | "complained";

export type Database = {
  users: {
    id: Id;
    email: string;
    name: string;
    role: "admin" | "marketer" | "viewer";
    password_hash: string;
    can_override_consent: Flag;
    /** The erase right (SPEC §11) granted to a marketer; admins have it anyway. */
    can_erase: Generated<Flag>;
    disabled: Flag;
    language: string;
    created_at: string;
  };
  sessions: { id_hash: string; user_id: number; csrf_token: string; created_at: string; expires_at: string };
  api_keys: {
    id: Id;
    user_id: number;
    name: string;
    prefix: string;
    key_hash: string;
    created_at: string;
    last_used_at: string | null;
  };
  companies: {
    id: Id;
    name: string;
    name_lower: string;
    org_number: string | null;
    department: string | null;
    street: string | null;
    postcode: string | null;
    city: string | null;
    country: string | null;
    domain: string | null;
    phone: string | null;
    email: string | null;
    our_contact_id: number | null;
    created_at: string;
    updated_at: string;
  };
  persons: {
    id: Id;
    first_name: string | null;
    middle_name: string | null;
    last_name: string | null;
    search_name: string;
    title: string | null;
    mrmrs: string | null;
    mobile: string | null;
    phone: string | null;
    language: string | null;
    company_id: number | null;
    our_contact_id: number | null;
    former_employee: Flag;
    /** The person's own postal address; a document goes to the company's when these are empty (SPEC §13). */
    street: string | null;
    postcode: string | null;
    city: string | null;
    country: string | null;
    created_at: string;
    updated_at: string;
  };
  person_emails: {
    id: Id;
    person_id: number;
    address: string;
    address_lower: string;
    is_primary: Flag;
    created_at: string;
  };
  interests: { id: Id; name: string; name_lower: string; created_at: string };
  person_interests: { person_id: number; interest_id: number; created_at: string };
  custom_fields: {
    id: Id;
    key: string;
    label: string;
    type: "text" | "number" | "date" | "boolean";
    created_at: string;
  };
  person_custom_values: { person_id: number; field_id: number; value: string };
  consent_purposes: { id: Id; key: string; name: string; builtin: Flag; created_at: string };
  person_consents: {
    person_id: number;
    purpose_id: number;
    legal_basis: "consent" | "contract" | "legitimate-interest" | "withdrawn";
    source: string;
    updated_at: string;
  };
  subscription_types: {
    id: Id;
    name: string;
    name_lower: string;
    description: string | null;
    created_at: string;
  };
  person_subscriptions: {
    person_id: number;
    type_id: number;
    status: "subscribed" | "unsubscribed" | "never";
    updated_at: string;
  };
  consent_history: {
    id: Id;
    person_id: number;
    purpose_id: number | null;
    subscription_type_id: number | null;
    change: string;
    source: "form" | "import" | "manual" | "api" | "unsubscribe-link" | "sms-reply";
    comment: string | null;
    user_id: number | null;
    created_at: string;
    /** The words of the form's check-box the person ticked (migration 0023); null for consent given otherwise. */
    consent_text: Generated<string | null>;
    /** The form the consent was given on; null for consent given otherwise. */
    form_id: Generated<number | null>;
  };
  selections: {
    id: Id;
    name: string;
    description: string | null;
    kind: "static" | "dynamic" | "combined";
    criteria: string | null;
    combine_op: "union" | "intersection" | "difference" | null;
    left_id: number | null;
    right_id: number | null;
    created_at: string;
    updated_at: string;
  };
  selection_members: { selection_id: number; person_id: number; added_at: string };
  selection_companies: { selection_id: number; company_id: number; added_at: string };
  projects: {
    id: Id;
    name: string;
    status: "planned" | "in-progress" | "completed" | "stopped";
    description: string | null;
    created_at: string;
    updated_at: string;
  };
  project_members: { project_id: number; person_id: number; added_at: string };
  sending_accounts: {
    id: Id;
    name: string;
    /** A kind a channel registers: "smtp", "outbox" (e-mail); later "smpp", "twilio", "sms-outbox". */
    kind: string;
    host: string | null;
    port: number | null;
    /** SMTP: starttls-required | starttls-opportunistic | implicit | none (send/channels/email/smtp-settings.ts). */
    tls_mode: Generated<string>;
    /** SMTP: the name given in EHLO; null is the host of the public URL. */
    ehlo_name: string | null;
    /** SMTP: a PEM CA certificate trusted for this server besides the system's. */
    ca_certificate: string | null;
    username: string | null;
    password: string | null;
    rate_per_second: number;
    /** For SMPP: the window of outstanding requests. */
    max_connections: number;
    is_default: Flag;
    /** SMS: the sending window's time zone (IANA); null is Europe/Oslo. */
    time_zone: string | null;
    /** Twilio: the API's address when not https://api.twilio.com. */
    api_url: string | null;
    created_at: string;
    updated_at: string;
  };
  sending_domains: {
    id: Id;
    domain: string;
    dkim_selector: string;
    dkim_private_key: string;
    dkim_public_key: string;
    /** Who signs the domain's mail: "utsend" with the key above, or "relay" (the SMTP relay, with its own key). */
    dkim_signer: Generated<"utsend" | "relay">;
    /** With the relay signing: the selector its key is published under, which the DNS check verifies. */
    relay_dkim_selector: string | null;
    bounce_domain: string;
    /** Warm-up ramp (send/warm-up.ts): off unless 1; the first day's volume, the daily growth, where it ends. */
    warmup_enabled: Generated<Flag>;
    warmup_start_per_day: number | null;
    warmup_growth: number | null;
    warmup_until_per_day: number | null;
    /** The UTC day (YYYY-MM-DD) the ramp began: day 0. */
    warmup_started_on: string | null;
    created_at: string;
    dns_status: "pass" | "warn" | "fail" | "unknown" | null;
    dns_result: string | null;
    dns_checked_at: string | null;
  };
  templates: {
    id: Id;
    name: string;
    type: MailingType;
    subject: string | null;
    /** "text" for an SMS template, whose text is `content`. */
    content_format: "html" | "mjml" | "text";
    content: string;
    text_content: string | null;
    sms_normalize: Generated<Flag>;
    sms_opt_out_line: string | null;
    created_at: string;
    updated_at: string;
  };
  mailings: {
    id: Id;
    name: string;
    type: MailingType;
    status: MailingStatus;
    sending_account_id: number | null;
    goal_text: string | null;
    goal_category: string | null;
    folder: string | null;
    selection_id: number | null;
    project_id: number | null;
    subscription_type_id: number | null;
    subject: string | null;
    from_name: string | null;
    from_address: string | null;
    from_mode: "fixed" | "our-contact";
    reply_to: string | null;
    content_format: "html" | "mjml";
    content: string | null;
    text_content: string | null;
    template_origin: string | null;
    track_links: "all" | "registered" | "none";
    track_opens: Flag;
    utm_source: string | null;
    utm_campaign: string | null;
    opt_override_consent: Flag;
    opt_one_per_address: Flag;
    opt_refresh_on_send: Flag;
    opt_include_companies: Flag;
    opt_prefer_company: Flag;
    /** SMS: an alphanumeric sender ID or an E.164 number. */
    sms_sender: string | null;
    sms_text: string | null;
    /** SMS: typographic quotes and dashes become GSM-7 ones. */
    sms_normalize: Generated<Flag>;
    sms_opt_out_line: string | null;
    /** Documents (SPEC §13): the letter's heading, attention rule and text, our reference (merge fields allowed). */
    doc_heading: string | null;
    doc_attention_mode: "name-else-text" | "always-text" | null;
    doc_attention_text: string | null;
    doc_our_ref: string | null;
    /** "composed" (the body is `content`) or "word" (the uploaded DOCX in `doc_template`). */
    doc_source: "composed" | "word" | null;
    doc_order: "list" | "postcode" | null;
    doc_template: Uint8Array | null;
    doc_template_name: string | null;
    /** JSON list of the merge fields the uploaded template uses that do not exist (blocking at Confirm). */
    doc_template_unknown: string | null;
    doc_odd_pages: Generated<Flag>;
    /** Form response (SPEC §9): the form whose processed submissions this mailing answers. */
    form_id: Generated<number | null>;
    scheduled_at: string | null;
    time_zone: string | null;
    recipients_resolved_at: string | null;
    created_by: number | null;
    created_at: string;
    updated_at: string;
    started_at: string | null;
    finished_at: string | null;
  };
  images: {
    id: Id;
    file_name: string;
    original_name: string;
    content_type: string;
    width: number;
    height: number;
    size: number;
    data: Uint8Array;
    uploaded_by: number | null;
    created_at: string;
  };
  saved_blocks: {
    id: Id;
    name: string;
    mjml: string;
    created_by: number | null;
    created_at: string;
    updated_at: string;
  };
  mailing_attachments: {
    id: Id;
    mailing_id: number;
    filename: string;
    content_type: string;
    size: number;
    data: Uint8Array;
    created_at: string;
  };
  mailing_dismissed_warnings: {
    mailing_id: number;
    /** An accessibility warning's stable key (src/mailings/accessibility-checks.ts), or `spam:` and a spam check's. */
    warning_key: string;
    dismissed_by: number | null;
    dismissed_at: string;
    /** Required for a blocking spam score; null otherwise. */
    reason: string | null;
  };
  mailing_sources: {
    id: Id;
    mailing_id: number;
    kind: "selection" | "project" | "person" | "addresses" | "import";
    ref_id: number | null;
    addresses: string | null;
    position: number;
    created_at: string;
  };
  mailing_recipients: {
    id: Id;
    mailing_id: number;
    position: number;
    person_id: number | null;
    company_id: number | null;
    email: string | null;
    email_lower: string | null;
    /** SMS mailings: the E.164 number (normalised with the default country while the list is resolved). */
    mobile: string | null;
    name: string | null;
    /** Documents: the address block's lines (joined by newlines), the key letters per address compare, and the
     * postcode as letters sort by it (digits left-padded: postal-address.ts postcodeSortKey). */
    postal_address: string | null;
    postal_key: string | null;
    postcode: string | null;
    source_id: number | null;
    /** Form response: the processed submission this row answers (one row per submission and mailing). */
    form_submission_id: Generated<number | null>;
    status: "eligible" | "blocked";
    block_reason: StoredBlockReason | null;
    created_at: string;
  };
  deliveries: {
    id: Id;
    mailing_id: number;
    recipient_id: number;
    attempt: number;
    person_id: number | null;
    /** The channel that sends it ("email", later "sms", "document"); the registry in send/channels knows each. */
    channel: Generated<string>;
    /** Where it goes: an e-mail address, an E.164 number, or a postal address reference. */
    address: string;
    /** `address` as it is matched (lower-case e-mail, E.164). */
    address_key: string;
    status: DeliveryStatus;
    /** E-mail only. */
    message_id: string | null;
    lease_owner: string | null;
    lease_expires_at: string | null;
    tries: number;
    next_try_at: string;
    last_reply: string | null;
    bounce_kind: "hard" | "soft" | null;
    sent_at: string | null;
    /** SMS: how many parts the message took. */
    parts: number | null;
    /** SMS: the provider's status or error code from its delivery report or refusal. */
    provider_code: string | null;
    /** SMS: when the provider's delivery report came. */
    reported_at: string | null;
    /** Documents: where the letter begins in the generated PDF (1-based) and how many pages it takes. */
    first_page: number | null;
    page_count: number | null;
    first_opened_at: string | null;
    first_clicked_at: string | null;
    /** 1 on the recipient's latest attempt, kept by triggers (migration 0029): what the follow-up list shows. */
    is_latest: Generated<Flag>;
    /** Why a pending delivery waits though no server refused it (send/domain-pacing.ts); not cleared once sent. */
    held_reason: "pacing" | "warm-up" | null;
    created_at: string;
    updated_at: string;
  };
  events: {
    id: Id;
    mailing_id: number;
    delivery_id: number | null;
    person_id: number | null;
    kind: EventKind;
    link_id: number | null;
    detail: string | null;
    ua_class: string | null;
    ip: string | null;
    flagged: Flag;
    is_test: Flag;
    created_at: string;
  };
  outbox_messages: {
    id: Id;
    mailing_id: number | null;
    delivery_id: number | null;
    is_test: Flag;
    envelope_from: string;
    to_address: string;
    subject: string;
    /** The e-mail's RFC 5322 bytes, or an SMS's text. */
    raw: string;
    channel: Generated<"email" | "sms">;
    created_at: string;
  };
  sms_provider_ids: { account_id: number; provider_message_id: string; delivery_id: number };
  sms_reports: {
    id: Id;
    account_id: number;
    provider_message_id: string;
    status: "delivered" | "failed";
    code: string | null;
    reported_at: string;
    received_at: string;
  };
  sms_inbound: {
    id: Id;
    account_id: number | null;
    from_number: string;
    to_number: string;
    text: string;
    kind: "opt-out" | "reply";
    mailing_id: number | null;
    person_id: number | null;
    received_at: string;
  };
  address_blocks: {
    address_lower: string;
    blocked: Flag;
    reason: string | null;
    detail: string | null;
    soft_count: number;
    updated_at: string;
  };
  inbound_messages: {
    id: Id;
    received_at: string;
    envelope_from: string;
    recipient: string;
    route:
      | "verp"
      | "unsubscribe"
      | "feedback-loop"
      | "imap"
      | "webhook-ses"
      | "webhook-mailgun"
      | "webhook-sendgrid"
      | "webhook-postmark";
    size: number;
    raw: Uint8Array;
    status: "received" | "processed" | "failed" | "ignored";
    kind: string | null;
    delivery_id: number | null;
    detail: string | null;
    processed_at: string | null;
    /** Where a message fetched from a mailbox came from (IMAP); null for SMTP. Unique. */
    source_key: string | null;
  };
  rate_buckets: { account_id: number; tokens: number; updated_ms: number };
  /** Per recipient domain or provider family (send/domain-pacing.ts); `version` guards each read-modify-write. */
  domain_pacing: {
    key: string;
    tokens: number;
    updated_ms: number;
    slowed_rate: number | null;
    slowed_ms: number | null;
    held_until_ms: Generated<number>;
    version: Generated<number>;
  };
  /** Messages handed over per sending domain and UTC day while its warm-up ramp runs. */
  warmup_days: { sending_domain_id: number; day: string; handed_over: number };
  recipient_imports: {
    id: Id;
    mailing_id: number;
    file_name: string | null;
    format: "csv" | "xlsx";
    rows: number;
    consent_source: string | null;
    user_id: number | null;
    created_at: string;
    completed_at: string | null;
  };
  recipient_import_rows: {
    id: Id;
    import_id: number;
    sheet_row: number;
    email: string;
    email_lower: string;
    name: string | null;
    mobile: string | null;
    fields: string | null;
  };
  registered_links: { id: Id; url: string; name: string; created_at: string };
  /** Kept by triggers on deliveries: `state` is the status, with `:hard`/`:soft` for bounces. */
  delivery_counts: { mailing_id: number; state: string; shard: number; n: number | string | bigint };
  tracked_links: {
    id: Id;
    mailing_id: number;
    url: string;
    has_merge_fields: Flag;
    registered_link_id: number | null;
    position: number;
    action_kind: LinkActionKind | null;
    action_ref_id: number | null;
    clicks: number;
    unique_clickers: number;
    flagged_clicks: number;
    test_clicks: number;
    created_at: string;
  };
  link_clickers: {
    link_id: number;
    delivery_id: number;
    person_id: number | null;
    clicks: number;
    flagged: Flag;
    first_at: string;
    last_at: string;
  };
  mailing_counters: { mailing_id: number; name: string; shard: number; value: number | string | bigint };
  mailing_hourly: {
    mailing_id: number;
    hour: string;
    kind: "opened" | "clicked";
    shard: number;
    value: number | string | bigint;
  };
  settings: { key: string; value: string };
  /** The suppression list: HMAC-SHA256 of a lower-case e-mail address; written only by privacy/suppression.ts. */
  suppressions: {
    address_hash: string;
    reason: "erased" | "unsubscribed" | "complained";
    created_at: string;
    updated_at: string;
  };
  /** Append-only (triggers refuse UPDATE and DELETE); written only by audit/log.ts. */
  audit_log: {
    id: Id;
    at: string;
    actor_user_id: number | null;
    actor_label: string;
    action: string;
    target_type: string | null;
    target_id: string | null;
    /** JSON text. */
    detail: string | null;
    ip: string | null;
    user_agent: string | null;
  };
  /** Web forms (SPEC §9). `definition` is the draft as JSON (forms/definition.ts); what visitors see is a published version. */
  forms: {
    id: Id;
    name: string;
    /** The hosted page's address: /f/<slug>. */
    slug: string;
    language: "nb" | "en";
    status: FormStatus;
    /** 0 until first published. */
    published_version: Generated<number>;
    definition: string;
    processing_mode: FormProcessingMode;
    double_opt_in: Generated<Flag>;
    sending_account_id: number | null;
    allow_company_create: Generated<Flag>;
    /** The hosted page asks the visitor's browser for a proof of work (forms/proof-of-work.ts). */
    proof_of_work: Generated<Flag>;
    thank_you_text: string | null;
    /** https only. */
    redirect_url: string | null;
    deactivate_at: string | null;
    deactivate_after: number | null;
    /** JSON: what processing does (add to selection/project, interests, consent, subscriptions, notify, respond). */
    actions: string;
    created_by: number | null;
    created_at: string;
    updated_at: string;
  };
  form_versions: { form_id: number; version: number; definition: string; published_at: string };
  /** Stored before the visitor sees the thank-you page; a submission records the version it answered. */
  form_submissions: {
    id: Id;
    form_id: number;
    version: number;
    /** JSON object: field key → value (string, or string[] for multi-choice). */
    answers: string;
    email_lower: string | null;
    /** Truncated: the last octet of IPv4, the last 80 bits of IPv6 are zero. */
    ip: string | null;
    user_agent: string | null;
    submitted_at: string;
    status: FormSubmissionStatus;
    reject_reason: string | null;
    person_id: number | null;
    company_id: number | null;
    /** The person a signed [[link.form.*]] token named, when the visitor came from one. */
    prefill_person_id: number | null;
    confirm_sent_at: string | null;
    confirm_expires_at: string | null;
    confirmed_at: string | null;
    processed_at: string | null;
    processed_by: number | null;
    /** When processing's first pass was through; null while the submission waits in the queue (forms/queue.ts). */
    handled_at: string | null;
    /** The lease of the process working on it; a past lease on an unfinished submission marks a cut processing. */
    claimed_until: string | null;
  };
  form_daily: { form_id: number; day: string; views: Generated<number> };
  /** Every refused submission counted by day and reason (SPEC §9: never a silent drop). */
  form_rejections: { form_id: number; day: string; reason: string; count: Generated<number> };
  /** Proof-of-work solutions already accepted, by their challenge's signature, kept until the challenge expires. */
  form_pow_solutions: { signature: string; expires_at: string };
  /** A document mailing's generated files (SPEC §13); the newest ready one is offered for download. */
  document_files: {
    id: Id;
    mailing_id: number;
    status: "generating" | "ready" | "failed";
    format: "pdf" | "docx" | null;
    /** The file's name inside DATA_DIR/documents. */
    file_name: string | null;
    letters: number;
    letters_done: Generated<number>;
    pages: number | null;
    bytes: number | null;
    /** Why the result is what it is (a DOCX because LibreOffice is not installed). */
    note: string | null;
    error: string | null;
    /** JSON: the address lines shortened or dropped to fit the envelope window, per recipient. */
    warnings: string | null;
    lease_owner: string | null;
    lease_expires_at: string | null;
    runs: Generated<number>;
    created_at: string;
    finished_at: string | null;
  };
};
