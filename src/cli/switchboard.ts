#!/usr/bin/env node
// The package's `bin` (built into dist/switchboard.js): runs one command and exits with its code.
import { main } from './main.ts';
import { processOutput } from './output.ts';

process.exitCode = await main(process.argv.slice(2), process.env, processOutput());
