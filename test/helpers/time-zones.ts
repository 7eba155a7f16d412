// Time zones for tests of the SMS sending window (08:00–21:00 in the account's zone), which must hold at any hour.

/** A fixed-offset zone where the local hour is now `hour`, so the sending window is open (or shut) at any test time. */
export function zoneWhereItIs(hour: number): string {
  let offset = hour - new Date().getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -11) offset += 24;
  // Etc/GMT zones count the other way: Etc/GMT-2 is two hours ahead of UTC.
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}
