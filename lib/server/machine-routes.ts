import type { MachineInfo } from '../../sandbox/index.ts';
import { type MachineAnswer, MachineView } from '../machines/view.ts';
import { HttpError, sendJson } from './http.ts';
import type { Route } from './routes.ts';

function machineView(machine: MachineInfo | undefined): MachineView {
  if (!machine) return { state: 'none' };
  const { memoryMiB, cpus, pids, diskMiB } = machine.limits;
  return MachineView.parse({
    state: machine.state,
    driver: machine.driver,
    expiresAt: machine.expiresAt.toISOString(),
    idleSeconds: machine.limits.idleSeconds,
    limits: { memoryMiB, cpus, pids, diskMiB },
  });
}

/** The learner's own machine: see it, or start it explicitly (a terminal attach starts it too). */
export const machineRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/machine$/,
    handle: async ({ res, identity, deps }) => sendJson(res, 200, { machine: machineView(await deps.machines.machineOf(identity.learner)) } satisfies MachineAnswer),
  },
  {
    method: 'POST',
    path: /^\/api\/machine$/,
    handle: async ({ req, res, identity, deps }) => {
      const refused = await deps.anonymousStarts.refusal(identity.learner);
      if (refused) throw new HttpError(401, refused);
      const limited = await deps.anonymousStarts.admit(identity.learner, deps.clientAddress(req));
      if (limited > 0) {
        res.setHeader('Retry-After', String(limited));
        throw new HttpError(429, `too many machines were started from your address; sign in, or try again in ${Math.ceil(limited / 60)} minute(s)`);
      }
      const existing = await deps.machines.machineOf(identity.learner);
      const wait = existing?.state === 'running' ? 0 : await deps.machines.retryAfter();
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        throw new HttpError(503, `every machine of this host is in use; try again in ${Math.ceil(wait / 60)} minute(s), or open the terminal to wait in the queue`);
      }
      sendJson(res, 200, { machine: machineView(await deps.machines.acquire(identity.learner)) } satisfies MachineAnswer);
    },
  },
];
