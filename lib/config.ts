import path from 'node:path';
import { sandboxConfig, SandboxConfigError, type SandboxConfig } from '../sandbox/config.ts';
import { EnvError, parseEnv, type Env } from './env.ts';

type Source = Readonly<Record<string, string | undefined>>;

/** Everything the server and the CLI take from the environment, validated once at start and handed down. */
export interface Config {
  readonly env: Env;
  /** Absolute path of the content folder. */
  readonly contentDir: string;
  /** Absolute path of the data folder. */
  readonly dataDir: string;
  /** The learner machines' settings. */
  readonly sandbox: SandboxConfig;
}

/** Throws `EnvError` or `SandboxConfigError`, each naming the variable, its value and the fix. */
export function parseConfig(source: Source): Config {
  const env = parseEnv(source);
  return {
    env,
    contentDir: path.resolve(env.UNBOXED_CONTENT_DIR),
    dataDir: path.resolve(env.UNBOXED_DATA_DIR),
    sandbox: sandboxConfig(source),
  };
}

/** The process's config; a bad variable ends the process with the message alone (a stack would only bury it). */
export function configOrExit(source: Source): Config {
  try {
    return parseConfig(source);
  } catch (error) {
    if (!(error instanceof EnvError || error instanceof SandboxConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
