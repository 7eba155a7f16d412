#!/usr/bin/env node
// Package bin: runs the TypeScript CLI directly (Node 24 strips types).
import "../src/cli/main.ts";
