// The messages of a language file as a flat map from their dotted key ("errors.validation.format") to their text:
// what the language tests compare.
export type MessageTree = { [key: string]: string | MessageTree };

export function messageLeaves(tree: MessageTree, prefix = ""): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") found.set(prefix + key, value);
    else for (const [k, v] of messageLeaves(value, `${prefix}${key}.`)) found.set(k, v);
  }
  return found;
}
