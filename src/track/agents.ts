// Who is behind an open or a click: a person in a mail client or browser, a privacy proxy that fetches images
// for everyone (Apple Mail Privacy Protection), or a security scanner that follows every link. Pure rules.

export type AgentClass = "desktop" | "mobile" | "webmail-proxy" | "privacy-proxy" | "scanner" | "unknown";

// Link checkers of mail security gateways and generic HTTP clients: nobody reads mail with these.
const SCANNERS =
  /barracuda|proofpoint|mimecast|urldefense|safelinks|symantec|trendmicro|forcepoint|sophos|fortiguard|checkpoint|cisco|ironport|zscaler|paloalto|bitdefender|kaspersky|\beset\b|mcafee|spamtitan|libredirect|python-requests|python-urllib|aiohttp|go-http-client|java\/|okhttp|curl\/|wget\/|libwww|httpclient|axios|node-fetch|undici|headlesschrome|phantomjs|bot\b|crawler|spider|slurp|preview/i;
// Image proxies of webmail that fetch when the reader opens the message: real opens, from the proxy's address.
const WEBMAIL_PROXIES = /googleimageproxy|yahoomailproxy|ymailproxy|outlook-?image|bingpreview/i;

export function classifyAgent(userAgent: string | undefined, ip: string | undefined): AgentClass {
  const ua = (userAgent ?? "").trim();
  if (WEBMAIL_PROXIES.test(ua)) return "webmail-proxy";
  if (SCANNERS.test(ua)) return "scanner";
  // Apple's Mail Privacy Protection loads images through Apple's relays with a bare agent, as soon as mail arrives.
  if (ua === "Mozilla/5.0" || (ip !== undefined && /^17\./.test(ip))) return "privacy-proxy";
  if (ua === "") return "unknown";
  if (/mobile|android|iphone|ipad/i.test(ua)) return "mobile";
  if (/mozilla|outlook|thunderbird|applewebkit/i.test(ua)) return "desktop";
  return "unknown";
}

/** The address kept with an event: an IPv4 /24 or an IPv6 /48, enough for a network, not for a person. */
export function truncateIp(ip: string | undefined): string | null {
  if (!ip) return null;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  if (ip.includes(":")) {
    const groups = ip.split("::")[0]!.split(":").filter(Boolean).slice(0, 3);
    return `${groups.join(":")}::`;
  }
  return null;
}

export const SCANNER_CLICK_WINDOW_MS = 10_000;
export const BURST_WINDOW_MS = 2_000;
export const BURST_LINKS = 3;

export type ClickFlag = "scanner" | "too-soon" | "burst" | null;

/**
 * Why a click looks like a machine's: a scanner's agent, seconds after the message was sent, or links clicked at
 * once — within 2 s, all links of the mailing (when it has two or more) or three links, whichever is fewer. A person
 * does not open every link of a message inside two seconds; a link scanner does. The click that completes the burst
 * is flagged; the burst's first click was counted before anyone could know.
 */
export function flagClick(input: {
  agent: AgentClass;
  sentAt: string | null;
  now: Date;
  otherLinksClickedInBurst: number;
  /** How many tracked links the mailing has. */
  linksInMailing: number;
}): ClickFlag {
  if (input.agent === "scanner") return "scanner";
  if (input.sentAt && input.now.getTime() - Date.parse(input.sentAt) < SCANNER_CLICK_WINDOW_MS)
    return "too-soon";
  const burstAt = input.linksInMailing >= 2 ? Math.min(BURST_LINKS, input.linksInMailing) : BURST_LINKS;
  if (input.otherLinksClickedInBurst + 1 >= burstAt) return "burst";
  return null;
}

export type OpenFlag = "privacy-proxy" | "scanner" | null;

/** An open fetched by a privacy proxy or a scanner says nothing about a reader. */
export function flagOpen(agent: AgentClass): OpenFlag {
  return agent === "privacy-proxy" || agent === "scanner" ? agent : null;
}
