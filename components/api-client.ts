import type { z } from 'zod';

/** An API refusal: its status and the server's message, shown to the user as is. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the app's JSON API and parses the answer with `schema`; a refusal throws an ApiError. */
export async function callApi<S extends z.ZodType>(path: string, schema: S, options: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown } = {}): Promise<z.infer<S>> {
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    cache: 'no-store',
    headers: options.body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const message = json && typeof json === 'object' && 'error' in json && typeof json.error === 'string' ? json.error : `the server answered ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return schema.parse(json);
}

/** A message for any error a call can end in. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : 'the server could not be reached; try again';
}

/**
 * A full page load at `path` after signing in or out, on purpose: the header, the
 * pages and the terminal's WebSocket all pick up the new identity.
 */
export function loadFresh(path: string): void {
  window.location.assign(path);
}
