// `npm run docs:generate`: rewrites the generated parts of README.md and docs/errors.md.
import { readFileSync, writeFileSync } from "node:fs";
import { errorsMarkdown, readmeWithConfigTable } from "./generated-docs.ts";

writeFileSync("README.md", readmeWithConfigTable(readFileSync("README.md", "utf8")));
writeFileSync("docs/errors.md", errorsMarkdown());
console.log("README.md configuration table and docs/errors.md are up to date");
