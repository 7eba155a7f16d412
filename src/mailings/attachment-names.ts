// What a recipient's mail program shows as an attachment's name: normalised to NFC, without control or bidi
// characters (a right-to-left override can make "fil.exe" read as "exe.lif"), and never a name that a file system or
// mail program treats specially. Pure: no I/O.
import type { FieldProblem, RuleProblem } from "../shared/errors.ts";

// C0 and C1 controls, and the bidi embeddings, overrides, isolates and marks (U+200E/F, U+061C).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is stripped here.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const FORBIDDEN = /[<>:"/\\|?*]/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
export const ATTACHMENT_NAME_MAX = 200;

export type AttachmentName = { ok: true; name: string } | { ok: false; problem: FieldProblem };

export function attachmentName(given: string): AttachmentName {
  const name = given.normalize("NFC").replace(INVISIBLE, "").trim();
  const refuse = (
    message: string,
    why: Omit<RuleProblem, "message"> = { kind: "not-a-file-name" },
  ): AttachmentName => ({
    ok: false,
    problem: { field: "filename", message, ...why },
  });
  if (!name)
    return refuse("give a file name (it is empty once control characters are removed)", { kind: "empty" });
  if (name.length > ATTACHMENT_NAME_MAX)
    return refuse(`must be at most ${ATTACHMENT_NAME_MAX} characters`, {
      kind: "maxLength",
      params: { limit: ATTACHMENT_NAME_MAX },
    });
  if (/^[.\s]+$/.test(name)) return refuse(`"${name}" is not a file name`);
  if (FORBIDDEN.test(name))
    return refuse('must not contain any of < > : " / \\ | ? *', {
      kind: "forbidden-characters",
      params: { characters: '< > : " / \\ | ? *' },
    });
  if (/[.\s]$/.test(name)) return refuse("must not end with a dot or a space");
  if (WINDOWS_DEVICE.test(name)) return refuse(`"${name}" is a reserved device name on Windows`);
  return { ok: true, name };
}
