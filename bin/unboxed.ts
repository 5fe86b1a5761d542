#!/usr/bin/env -S node --import tsx
import { configOrExit } from '../lib/config.ts';
import { runCli } from '../lib/cli/index.ts';

process.exitCode = await runCli(process.argv.slice(2), configOrExit(process.env));
