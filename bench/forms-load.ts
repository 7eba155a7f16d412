// The load generator of `npm run bench -- forms`, in its own process so that it does not share the server's event
// loop: reads {url, path, stamp, prefix, domain, connections, seconds} as JSON from a file, posts one valid
// submission per request (a distinct address each, numbered from one shared counter), prints the result.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

type Job = {
  url: string;
  path: string;
  stamp: string;
  prefix: string;
  domain: string;
  connections: number;
  seconds: number;
};

const job = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as Job;
let counter = 0;

// What the hosted page posts when a person fills in the e-mail and first name and ticks the consent box.
const bodyOf = (n: number) =>
  new URLSearchParams({
    email: `${job.prefix}-${n}@${job.domain}`,
    fornavn: `Person ${n}`,
    samtykke: "on",
    _stamp: job.stamp,
  }).toString();

const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.seconds,
  headers: {
    "content-type": "application/x-www-form-urlencoded",
    accept: "text/html,application/xhtml+xml",
    "user-agent": "utsend-bench",
  },
  requests: [
    { method: "POST", path: job.path, setupRequest: (request) => ({ ...request, body: bodyOf(counter++) }) },
  ],
});

process.stdout.write(
  `${JSON.stringify({
    sent: result.requests.sent,
    completed: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
    ),
  })}\n`,
);
