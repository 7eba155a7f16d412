#!/usr/bin/env node
// Package bin: runs the TypeScript CLI directly (Node 24 strips types). Imports first restart with lean V8 flags.
import { relaunchWithNodeFlags } from "../src/cli/node-flags.ts";

relaunchWithNodeFlags(new URL(import.meta.url));
await import("../src/cli/main.ts");
