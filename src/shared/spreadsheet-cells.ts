// What a spreadsheet cell may hold when utsend writes it: every export (persons, recipients, blocks, the audit log)
// passes its cells through here.

/**
 * Spreadsheets run a cell that starts with = + - or @ as a formula (and tab or CR can hide one), so such a cell gets
 * a leading apostrophe. Plain numbers and E.164 phone numbers cannot carry a formula and stay as they are; the import
 * strips the apostrophe again, so an exported file imports unchanged.
 */
export function neutralise(value: string): string {
  if (value === "" || !"=+-@\t\r".includes(value[0]!)) return value;
  if (/^[+-]?\d+([.,]\d+)?$/.test(value)) return value;
  return `'${value}`;
}
