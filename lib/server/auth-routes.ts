import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { DisplayName, Email, EmailTakenError, Password } from '../auth/accounts.ts';
import { HttpError, readBody, sendJson, setCookies } from './http.ts';
import { waitInWords } from './ratelimit.ts';
import { publicAccount, type Route } from './routes.ts';

const SignUp = z.strictObject({ email: Email, name: DisplayName, password: Password });
const SignIn = z.strictObject({ email: z.string().max(254), password: z.string().max(1000) });

/** Sign-up, sign-in, sign-out and "who am I". */
export const authRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/me$/,
    handle: ({ res, identity }) => sendJson(res, 200, { account: identity.account ? publicAccount(identity.account) : null }),
  },
  {
    method: 'POST',
    path: /^\/api\/auth\/signup$/,
    handle: async ({ req, res, identity, deps }) => {
      const body = await readBody(req, SignUp);
      if (identity.account) throw new HttpError(409, `you are signed in as ${identity.account.email}; sign out first`);
      // Each account gets a machine beyond the anonymous start limits: a script must not mint them.
      const address = deps.clientAddress(req);
      const wait = deps.signUps.retryAfter(address);
      if (wait > 0) throw tooMany(res, wait, 'too many accounts were created from your address');
      // The anonymous learner becomes the account's: same machine, same results.
      const account = await deps.accounts.create({ ...body, role: 'learner', learner: identity.learner }).catch((error: unknown) => {
        throw error instanceof EmailTakenError ? new HttpError(409, `${error.message}; sign in instead`) : error;
      });
      deps.signUps.record(address);
      const session = await deps.sessions.start(account);
      setCookies(res, [session.setCookie, deps.identities.learnerCookie(account.learner).setCookie]);
      sendJson(res, 201, { account: publicAccount(account) });
    },
  },
  {
    method: 'POST',
    path: /^\/api\/auth\/signin$/,
    handle: async ({ req, res, identity, deps }) => {
      const body = await readBody(req, SignIn);
      const email = body.email.trim().toLowerCase();
      const address = deps.clientAddress(req);
      const { email: byEmail, address: byAddress } = deps.signInFailures;
      const addressWait = byAddress.retryAfter(address);
      if (addressWait > 0) throw tooMany(res, addressWait, 'too many failed sign-ins from your address');
      const emailWait = byEmail.retryAfter(email);
      if (emailWait > 0) {
        // Counted against the address: a script polling for the end of the wait runs out.
        byAddress.record(address);
        throw tooMany(res, emailWait, 'too many wrong passwords for this email');
      }
      const account = await deps.accounts.authenticate(body.email, body.password);
      if (!account) {
        byEmail.record(email);
        byAddress.record(address);
        throw new HttpError(401, 'wrong email or password');
      }
      byEmail.clear(email);
      if (identity.sessionId) await deps.sessions.end(identity.sessionId);
      // What the browser did anonymously before signing in joins the account's results.
      else if (identity.learner !== account.learner) await deps.results.moveResults(identity.learner, account.learner);
      const session = await deps.sessions.start(account);
      setCookies(res, [session.setCookie, deps.identities.learnerCookie(account.learner).setCookie]);
      sendJson(res, 200, { account: publicAccount(account) });
    },
  },
  {
    method: 'POST',
    path: /^\/api\/auth\/signout$/,
    handle: async ({ res, identity, deps }) => {
      if (identity.sessionId) await deps.sessions.end(identity.sessionId);
      // A fresh anonymous learner: the account's machine and results stay with the account.
      setCookies(res, [deps.sessions.clearCookie(), deps.identities.learnerCookie().setCookie]);
      sendJson(res, 200, { account: null });
    },
  },
];

/** A 429 with Retry-After, its message saying when to try again. */
function tooMany(res: ServerResponse, seconds: number, reason: string): HttpError {
  res.setHeader('Retry-After', String(seconds));
  return new HttpError(429, `${reason}; try again in ${waitInWords(seconds)}`);
}
