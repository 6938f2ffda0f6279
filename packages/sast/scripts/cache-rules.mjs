#!/usr/bin/env node
// Build step: writes dist/builtin-rules.json, the built-in rule packs validated and compiled from
// YAML with a digest of their files, so the built package loads them without parsing 150 files.
import { writeBuiltinRuleCache } from '../dist/index.js';

console.log(`sast: wrote ${writeBuiltinRuleCache()}`);
