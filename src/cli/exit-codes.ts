// The CLI's exit codes, mapped from error codes (the HTTP API maps the same codes to statuses).
import type { ErrorCode } from "../shared/errors.ts";

export const exitCodeOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 2,
  REFERENCE_NOT_FOUND: 2,
  PAYLOAD_TOO_LARGE: 2,
  IMPORT_FILE_INVALID: 2,
  IMPORT_TOO_LARGE: 2,
  IMPORT_MAPPING_INVALID: 2,
  IMPORT_ROWS_INVALID: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  UNSUBSCRIBE_REMEMBERED: 4,
  SELECTION_CYCLE: 4,
  SELECTION_KIND_MISMATCH: 4,
  UNAUTHENTICATED: 5,
  FORBIDDEN: 5,
  CSRF_FAILED: 5,
  LOGIN_FAILED: 5,
  RATE_LIMITED: 6,
  CONFIG_INVALID: 78,
  INTERNAL: 1,
};
