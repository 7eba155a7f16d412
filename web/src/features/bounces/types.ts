// The bounce tools' API shapes (src/http/routes/bounces.ts).
export type BlockedReason = "hard" | "soft" | "complaint" | "unsubscribed" | "other";
export type AddressPerson = { id: number; fullName: string; formerEmployee: boolean };

export type BlockedAddress = {
  address: string;
  reason: BlockedReason;
  statusCode: string | null;
  diagnostic: string | null;
  count: number;
  updatedAt: string;
  lastMailingId: number | null;
  persons: AddressPerson[];
};

export type MailingBounce = {
  deliveryId: number;
  recipientId: number;
  attempt: number;
  address: string;
  kind: "hard" | "soft" | "complaint";
  statusCode: string | null;
  diagnostic: string | null;
  at: string;
  person: AddressPerson | null;
  blocked: boolean;
  resent: boolean;
};

export type { AddressProblem } from "../../api/types.ts";

export type CorrectionResult = {
  persons: number;
  resent: Array<{
    mailingId: number;
    created: Array<{ recipientId: number; deliveryId: number; email: string; attempt: number }>;
    skipped: Array<{ recipientId: number; reason: string }>;
  }>;
};
