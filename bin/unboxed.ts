#!/usr/bin/env -S node --import tsx
import { runCli } from '../lib/cli/index.ts';

process.exitCode = await runCli(process.argv.slice(2));
