import { z } from 'zod';

const SITE = 'http://unboxed.invalid';

/**
 * Browsers forgive a lot on the way from a string to a URL: they drop tabs and newlines,
 * read `\` as `/`, and take `//host` as another site, so `/\t/evil.example` leaves the
 * site. A path is kept only when neither it nor its percent-decoded form has a control
 * character or a backslash, it starts with exactly one `/`, and it resolves on this site.
 */
function isSameSitePath(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  const plain = (text: string) => text.startsWith('/') && !text.startsWith('//') && !/[\\\p{Cc}]/u.test(text);
  return plain(path) && plain(decoded) && new URL(path, SITE).origin === SITE;
}

/** A path on this site to go to after signing in or up (`?next=`). */
export const NextPath = z.string().max(2048).refine(isSameSitePath).brand<'NextPath'>();
export type NextPath = z.infer<typeof NextPath>;

/** `next` if it is a path on this site, else undefined (the caller's default applies). */
export function safeNextPath(next: unknown): NextPath | undefined {
  return NextPath.safeParse(next).data;
}
