// The DNS server of `npm run bench -- forms`, in its own process so that its answers cost the server's event loop
// nothing (a real resolver is another machine): answers MX for the domain in argv[2], prints its address, and stops
// when its stdin closes.
import { startDnsServer } from "../test/helpers/dns-server.ts";

const domain = process.argv[2]!;
const dns = await startDnsServer({ [domain]: { MX: [{ exchange: `mx.${domain}` }] } });
process.stdout.write(`${dns.address}\n`);
process.stdin.resume();
process.stdin.on("end", () => void dns.close());
