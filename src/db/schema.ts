// Table types for Kysely. Timestamps are UTC ISO strings; flags are 0/1 integers (SQLite has no booleans).
import type { Generated } from "kysely";

type Id = Generated<number>;
type Flag = number;

export type Database = {
  users: {
    id: Id;
    email: string;
    name: string;
    role: "admin" | "marketer" | "viewer";
    password_hash: string;
    can_override_consent: Flag;
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
    source: "form" | "import" | "manual" | "api" | "unsubscribe-link";
    comment: string | null;
    user_id: number | null;
    created_at: string;
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
  settings: { key: string; value: string };
};
