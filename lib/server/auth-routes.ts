import { z } from 'zod';
import { DisplayName, Email, EmailTakenError, Password } from '../auth/accounts.ts';
import { HttpError, readBody, sendJson, setCookies } from './http.ts';
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
      // The anonymous learner becomes the account's: same machine, same results.
      const account = await deps.accounts.create({ ...body, role: 'learner', learner: identity.learner }).catch((error: unknown) => {
        throw error instanceof EmailTakenError ? new HttpError(409, `${error.message}; sign in instead`) : error;
      });
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
      const address = req.socket.remoteAddress ?? '';
      const { email: byEmail, address: byAddress } = deps.signInFailures;
      const wait = Math.max(byEmail.retryAfter(email), byAddress.retryAfter(address));
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        throw new HttpError(429, `too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute(s)`);
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
