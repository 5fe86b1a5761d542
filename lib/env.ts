import path from 'node:path';
import { z } from 'zod';

/**
 * The environment, validated once. Everything else imports typed values from here;
 * a bad variable stops the process with a message naming it and the fix.
 */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Address the server listens on; 127.0.0.1 keeps it on this machine'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000).describe('TCP port for pages and terminal WebSockets'),
  UNBOXED_CONTENT_DIR: z.string().min(1).default('content').describe('Folder holding the lessons'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof Env>;

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export function parseEnv(source: Readonly<Record<string, string | undefined>>): Env {
  const result = Env.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const hint = Env.shape[name as keyof typeof Env.shape]?.description;
    return `  ${name}=${JSON.stringify(source[name] ?? '')}: ${issue.message}${hint ? ` (${hint})` : ''}. Fix: correct or unset ${name}`;
  });
  throw new EnvError(['Invalid environment:', ...lines].join('\n'));
}

export const env = parseEnv(process.env);

/** Absolute path of the content folder. */
export const contentDir = path.resolve(env.UNBOXED_CONTENT_DIR);
