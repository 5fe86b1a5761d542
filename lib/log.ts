import pino from 'pino';
import type { Env } from './env.ts';

/** Structured JSON logs on stdout; `LOG_LEVEL=debug` for more, `silent` for none. */
export function createLog(level: Env['LOG_LEVEL']): pino.Logger {
  return pino({ level, base: { app: 'unboxed' } });
}
