// `npm run bench -- <name>…`: runs the named benchmarks (all when none is named).
import { benchImport } from "./import.ts";
import { benchSelections } from "./selections.ts";
import { benchSend } from "./send.ts";
import { benchStatistics } from "./statistics.ts";
import { benchTrack } from "./track.ts";

const benches: Record<string, () => Promise<void>> = {
  selections: benchSelections,
  import: benchImport,
  send: benchSend,
  track: benchTrack,
  stats: benchStatistics,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  console.log(`# ${name}`);
  await benches[name]!();
}
