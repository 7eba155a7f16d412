// Rights by role (SPEC §1): admin everything; marketer reads, edits, sends and exports (overriding consent and
// erasing persons when an admin grants it); viewer only reads.
export const ROLES = ["admin", "marketer", "viewer"] as const;
export type Role = (typeof ROLES)[number];
/** `erase`: erasing a person (SPEC §11) — admins, and marketers an admin grants it to. */
export type Right = "read" | "write" | "export" | "send" | "overrideConsent" | "manageSettings" | "erase";

export type Actor = { userId: number; role: Role; canOverrideConsent: boolean; canErase: boolean };

export function hasRight(actor: Actor, right: Right): boolean {
  switch (actor.role) {
    case "admin":
      return true;
    case "marketer":
      if (right === "manageSettings") return false;
      if (right === "overrideConsent") return actor.canOverrideConsent;
      if (right === "erase") return actor.canErase;
      return true;
    case "viewer":
      return right === "read";
  }
}
