import { z } from 'zod';

/**
 * The app's environment variables. The server and the CLI validate them once at start,
 * with the sandbox's, through `parseConfig` (lib/config.ts) and hand the result down; a
 * bad variable stops the process with a message naming it and the fix.
 */
export const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Address the server listens on; 127.0.0.1 keeps it on this machine'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000).describe('TCP port for pages and terminal WebSockets'),
  UNBOXED_CONTENT_DIR: z.string().min(1).default('content').describe('Folder holding the lessons'),
  UNBOXED_DATA_DIR: z.string().min(1).default('.data').describe('Folder for the database and the generated session secret'),
  UNBOXED_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe('Secret that signs session cookies, at least 32 characters; generated into the data folder when unset'),
  UNBOXED_PUBLIC_ORIGIN: z
    .url()
    .optional()
    .describe('Origin browsers use to reach the app when not localhost or the listen address (e.g. https://learn.example.org behind a proxy); requests naming another host are refused'),
  UNBOXED_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((list) => list.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: (issue) => `'${String(issue.input)}' is not an IP address or CIDR range` })))
    .describe("Addresses or CIDR ranges of your reverse proxies, comma-separated (e.g. 127.0.0.1); only their X-Forwarded-For is believed. Unset: the connection's address is the client's"),
  UNBOXED_SIGNUPS_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(50).describe('Accounts that may be created from one client address in an hour'),
  DATABASE_URL: z
    .string()
    .optional()
    .describe('postgres://USER:PASSWORD@HOST:PORT/DATABASE keeps accounts, classes and results in PostgreSQL; unset keeps them in SQLite in the data folder'),
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
