// Nordic names and places for the demo data set.
export const FIRST_NAMES = [
  "Ola", "Kari", "Per", "Ingrid", "Lars", "Sigrid", "Knut", "Astrid", "Magnus", "Solveig", "Erik", "Marit", "Bjørn",
  "Ragnhild", "Håkon", "Åse", "Øystein", "Tone", "Sindre", "Liv", "Anders", "Hilde", "Eirik", "Kristin", "Jørgen",
  "Nora", "Emil", "Ida", "Jonas", "Maja", "Sander", "Thea", "Mathias", "Emma", "Henrik", "Sofie", "Tobias", "Frida",
  "Mikkel", "Linnea", "Oskar", "Elin", "Gunnar", "Siri", "Trond", "Randi", "Vegard", "Guro", "Nils", "Åsa",
] as const;

export const LAST_NAMES = [
  "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen",
  "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl",
  "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand",
  "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie",
  "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde", "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Øvrebø", "Åsheim",
] as const;

export const COMPANIES = [
  { name: "Fjordlys AS", orgNumber: "912345678", city: "Bergen", postcode: "5003", street: "Bryggen 12", domain: "fjordlys.no" },
  { name: "Nordlys Energi AS", orgNumber: "923456789", city: "Tromsø", postcode: "9008", street: "Storgata 40", domain: "nordlysenergi.no" },
  { name: "Tindefjell Regnskap AS", orgNumber: "934567890", city: "Oslo", postcode: "0150", street: "Karl Johans gate 8", domain: "tindefjell.no" },
  { name: "Havbris Sjømat AS", orgNumber: "945678901", city: "Ålesund", postcode: "6002", street: "Apotekergata 3", domain: "havbris.no" },
  { name: "Skogheim Bygg AS", orgNumber: "956789012", city: "Trondheim", postcode: "7011", street: "Munkegata 22", domain: "skogheimbygg.no" },
  { name: "Vinterhage Design", orgNumber: "967890123", city: "Stockholm", postcode: "11152", street: "Drottninggatan 5", domain: "vinterhage.se", country: "SE" },
] as const;

export const INTERESTS = ["Arrangementer", "Nyhetsbrev", "Regnskap", "Bærekraft", "Kurs", "Produktnyheter"] as const;
