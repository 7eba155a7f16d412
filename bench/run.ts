// `npm run bench -- <name>… [--option value]`: runs the named benchmarks (all when none is named); options are theirs.
import { benchDeferredDomains } from "./deferred-domains.ts";
import { benchDocumentMemory } from "./document-memory.ts";
import { benchDocumentsAndGeneration } from "./documents.ts";
import { benchDocx } from "./documents-docx.ts";
import { benchForms } from "./forms.ts";
import { benchImport } from "./import.ts";
import { benchMessageBuild } from "./message-build.ts";
import { benchSelections } from "./selections.ts";
import { benchSend, benchSendSlowServer } from "./send.ts";
import { benchSms } from "./sms.ts";
import { benchSmsPacing } from "./sms-pipeline.ts";
import { benchStatistics } from "./statistics.ts";
import { benchTrack } from "./track.ts";

const benches: Record<string, () => Promise<void>> = {
  selections: benchSelections,
  import: benchImport,
  send: benchSend,
  "send-slow": benchSendSlowServer,
  message: benchMessageBuild,
  track: benchTrack,
  stats: benchStatistics,
  "deferred-domains": benchDeferredDomains,
  sms: benchSms,
  "sms-pacing": benchSmsPacing,
  documents: benchDocumentsAndGeneration,
  "documents-docx": benchDocx,
  "documents-memory": benchDocumentMemory,
  forms: benchForms,
};

// Options ("--count 5000", "--count=5000") belong to the benchmarks, which read process.argv themselves.
const args = process.argv.slice(2);
const wanted = args.filter(
  (arg, i) => !arg.startsWith("--") && !(args[i - 1]?.startsWith("--") && !args[i - 1]?.includes("=")),
);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  console.log(`# ${name}`);
  await benches[name]!();
}
