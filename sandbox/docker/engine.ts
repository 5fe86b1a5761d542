import Docker from 'dockerode';
import { SandboxError } from '../driver.ts';

/**
 * The Docker Engine API client the driver talks through: the socket in DOCKER_HOST (with
 * DOCKER_TLS_VERIFY/DOCKER_CERT_PATH for a remote engine over mutual TLS), the local
 * socket by default. No CLI: a call is an HTTP request, not a process, and no `docker`
 * binary earlier in PATH can answer in its own dialect.
 */
export function connectEngine(): Docker {
  return new Docker();
}

export class EngineError extends SandboxError {
  override name = 'EngineError';
}

/** The status code of an Engine API error (404 no such container, 409 conflict), if it is one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Runs an Engine API call, turning its failure into an `EngineError` that says what was being done. */
export async function engineCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const message = (error as { json?: { message?: string } }).json?.message ?? (error instanceof Error ? error.message : String(error));
    throw new EngineError(`${what}: ${message}`, { cause: error });
  }
}
