// What step 4 accepts as a new recipient source before anything is stored. Pasted addresses carry the marketer's word
// that the people consented (nothing else vouches for them), so that word is required; the other kinds point at a
// selection, project or person and need its id.
import { isValidEmail } from "../persons/person-rules.ts";
import type { FieldProblem } from "../shared/errors.ts";
import type { PastedAddress, SourceKind } from "./recipients.ts";

export type SourceRequest = {
  kind: Exclude<SourceKind, "import">;
  refId?: number | undefined;
  addresses?: PastedAddress[] | undefined;
  consentConfirmed?: boolean | undefined;
};

/** The first problem with the request, or null. One at a time: each names the one thing to fix next. */
export function sourceRequestProblem(request: SourceRequest): FieldProblem | null {
  if (request.kind !== "addresses")
    return request.refId === undefined
      ? { field: "refId", message: `a ${request.kind} source needs refId`, kind: "required" }
      : null;
  const addresses = request.addresses ?? [];
  if (addresses.length === 0)
    return { field: "addresses", message: "give at least one address", kind: "required" };
  if (request.consentConfirmed !== true)
    return {
      field: "consentConfirmed",
      message: "confirm that these people consented to marketing",
      kind: "needs-confirmation",
    };
  const bad = addresses.findIndex((a) => !isValidEmail(a.email.trim()));
  if (bad >= 0)
    return {
      field: `addresses[${bad}].email`,
      message: `"${addresses[bad]!.email}" is not a valid e-mail address`,
      kind: "format",
      params: { format: "email" },
    };
  return null;
}
