#!/usr/bin/env node
import { runCli } from './run.js';

// Exit as soon as the result (or the error) is printed: a decoder still draining a refused input must not keep us alive.
process.exit(await runCli(process.argv.slice(2)));
