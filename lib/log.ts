import pino from 'pino';
import { env } from './env.ts';

/** Structured JSON logs on stdout; `LOG_LEVEL=debug` for more, `silent` for none. */
export const log = pino({ level: env.LOG_LEVEL, base: { app: 'unboxed' } });
