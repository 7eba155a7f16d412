// The load generator of `npm run bench -- track`, in its own process so that it does not share the server's event
// loop: reads {url, paths, offset, connections, seconds, userAgent} as JSON from a file, drives autocannon through
// the paths (one shared cursor, so concurrent connections click different deliveries and links), prints the result.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

type Job = {
  url: string;
  paths: string[];
  offset: number;
  connections: number;
  seconds: number;
  userAgent: string;
};

const job = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as Job;
let cursor = job.offset;

const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.seconds,
  headers: { "user-agent": job.userAgent, accept: "text/html,application/xhtml+xml" },
  requests: [
    {
      method: "GET",
      setupRequest: (request) => ({ ...request, path: job.paths[cursor++ % job.paths.length]! }),
    },
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
    next: cursor,
  })}\n`,
);
