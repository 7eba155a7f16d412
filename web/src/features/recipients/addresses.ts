// Pasted recipients, one a line: `email` or `Name <email>`. Pure; the server checks the addresses again.
import type { PastedAddress } from "../../api/mailing-types.ts";

export type ParsedAddresses = { addresses: PastedAddress[]; invalid: { line: number; text: string }[] };

// Loose on purpose: it catches typing slips; the API decides what is a valid address.
const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;
const NAMED = /^(.*?)\s*<([^<>]+)>$/;

export function parseAddresses(text: string): ParsedAddresses {
  const addresses: PastedAddress[] = [];
  const invalid: ParsedAddresses["invalid"] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const named = NAMED.exec(line);
    const email = (named ? named[2]! : line).trim();
    const name = named?.[1]?.trim().replace(/^"(.*)"$/, "$1");
    if (!EMAIL.test(email)) invalid.push({ line: index + 1, text: line });
    else addresses.push(name ? { email, name } : { email });
  });
  return { addresses, invalid };
}
