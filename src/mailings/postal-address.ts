// Where a letter goes (SPEC §13): the person's own postal address, else their company's, as the lines of the
// address block. Pure.

export type AddressParts = {
  street: string | null;
  postcode: string | null;
  city: string | null;
  country: string | null;
};

export type PostalAddress = {
  lines: string[];
  /** What "one letter per address" compares; starts with `own|` or `company|` (see addressedToCompany). */
  key: string;
  postcode: string | null;
  /** The letter goes to the company's address: the person's name belongs on the attention line. */
  toCompany: boolean;
};

const clean = (value: string | null | undefined) => (value ?? "").replace(/\s+/g, " ").trim();

/** An address is usable when it names a street or a postbox and a postcode or city. */
function usable(a: AddressParts | null): a is AddressParts {
  return a !== null && clean(a.street) !== "" && (clean(a.postcode) !== "" || clean(a.city) !== "");
}

/**
 * The domestic country is left off (Posten asks for the country line on letters abroad only). `defaultCountry` is the
 * ISO code of UTSEND_DEFAULT_COUNTRY; its common names count as the same country.
 */
function isDomestic(country: string, defaultCountry: string): boolean {
  const c = country.toLowerCase();
  const names: Record<string, string[]> = {
    no: ["no", "nor", "norge", "norway", "noreg"],
    se: ["se", "swe", "sverige", "sweden"],
    dk: ["dk", "dnk", "danmark", "denmark"],
    fi: ["fi", "fin", "suomi", "finland"],
  };
  const own = defaultCountry.toLowerCase();
  return c === own || (names[own] ?? []).includes(c);
}

/**
 * The address block for one recipient: name, the company when the letter goes to the company's address, street,
 * postcode and city, and the country when abroad. Null when neither the person nor the company has a usable address.
 */
export function postalAddressFor(
  recipient: { name: string | null; companyName: string | null; isCompanyRow: boolean },
  own: AddressParts | null,
  company: AddressParts | null,
  defaultCountry: string,
): PostalAddress | null {
  const useOwn = !recipient.isCompanyRow && usable(own);
  const address = useOwn ? own : usable(company) ? company : null;
  if (!address) return null;
  const lines: string[] = [];
  const name = clean(recipient.name);
  const companyName = clean(recipient.companyName);
  // A letter to a company's address names the company; the person goes on the attention line (DIN 5008).
  if (useOwn) lines.push(name);
  else lines.push(companyName || name);
  lines.push(clean(address.street));
  const postcode = clean(address.postcode);
  lines.push([postcode, clean(address.city).toUpperCase()].filter(Boolean).join(" "));
  const country = clean(address.country);
  if (country && !isDomestic(country, defaultCountry)) lines.push(country.toUpperCase());
  // Two people at one address get one letter with "one letter per address": the key leaves the person's name out.
  const place = lines
    .slice(useOwn ? 1 : 0)
    .join("|")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}|]+/gu, "");
  return {
    lines: lines.filter(Boolean),
    key: `${useOwn ? "own" : "company"}|${place}`,
    postcode: postcode ? postcodeSortKey(postcode) : null,
    toCompany: !useOwn,
  };
}

/** Postcodes sort as numbers when they are digits (0155 before 3179 before 10115), else as text after them. */
export function postcodeSortKey(postcode: string): string {
  const digits = postcode.replace(/\s+/g, "");
  return /^\d+$/.test(digits) ? digits.padStart(10, "0") : `~${postcode.toUpperCase()}`;
}

/** Whether a letter's stored address key is a company's address (its attention line then names the person). */
export function addressedToCompany(key: string): boolean {
  return key.startsWith("company|");
}
