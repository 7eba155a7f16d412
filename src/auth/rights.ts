// Rights by role (SPEC §1): admin everything; marketer reads, edits, sends and exports; viewer only reads.
export const ROLES = ["admin", "marketer", "viewer"] as const;
export type Role = (typeof ROLES)[number];
/** `erase`: erasing a person (SPEC §11) — admins only; no role is granted it otherwise yet. */
export type Right = "read" | "write" | "export" | "send" | "overrideConsent" | "manageSettings" | "erase";

export type Actor = { userId: number; role: Role; canOverrideConsent: boolean };

export function hasRight(actor: Actor, right: Right): boolean {
  switch (actor.role) {
    case "admin":
      return true;
    case "marketer":
      if (right === "manageSettings" || right === "erase") return false;
      if (right === "overrideConsent") return actor.canOverrideConsent;
      return true;
    case "viewer":
      return right === "read";
  }
}
