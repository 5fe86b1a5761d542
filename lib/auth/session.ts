import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';

/**
 * Learner sessions as signed cookies: `<id>.<hmac>`. The id is random; the HMAC makes
 * it unforgeable, so a terminal (or later a gradebook row) is attached only for the
 * browser that holds the cookie.
 */
export const SESSION_COOKIE = 'unboxed_session';
const MAX_AGE_SECONDS = 30 * 24 * 3600;

export class SessionSigner {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('the session secret must be at least 32 bytes');
  }

  /**
   * A session cookie: a fresh anonymous learner id, or the given one (the learner id of
   * an account that just signed in), and the Set-Cookie header value that carries it.
   */
  issue(options: { secure: boolean }, id: string = randomBytes(18).toString('base64url')): { id: string; setCookie: string } {
    const setCookie = stringifySetCookie(SESSION_COOKIE, `${id}.${this.sign(id)}`, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      maxAge: MAX_AGE_SECONDS,
      secure: options.secure,
    });
    return { id, setCookie };
  }

  /** The session id in a Cookie header, if one is there and its signature holds. */
  read(cookieHeader: string | undefined): string | undefined {
    const value = cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
    const dot = value?.lastIndexOf('.') ?? -1;
    if (!value || dot <= 0) return undefined;
    const id = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.sign(id));
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }

  private sign(id: string): string {
    return createHmac('sha256', this.secret).update(id).digest('base64url');
  }
}
