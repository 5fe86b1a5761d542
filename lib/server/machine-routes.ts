import type { ServerResponse } from 'node:http';
import type { MachineInfo } from '../../sandbox/index.ts';
import { NoMachineToResetError, ResetLimitError, type LastReset } from '../machines/reset.ts';
import { type MachineAnswer, MachineView } from '../machines/view.ts';
import type { ApiDeps } from './api.ts';
import { HttpError, sendJson } from './http.ts';
import type { Route } from './routes.ts';

function machineView(machine: MachineInfo | undefined, idleAt?: Date, lastReset?: LastReset): MachineView {
  if (!machine) return { state: 'none' };
  const { memoryMiB, cpus, pids, diskMiB } = machine.limits;
  return MachineView.parse({
    state: machine.state,
    driver: machine.driver,
    expiresAt: machine.expiresAt.toISOString(),
    idleSeconds: machine.limits.idleSeconds,
    ...(idleAt && machine.state === 'running' && { idleAt: idleAt.toISOString() }),
    limits: { memoryMiB, cpus, pids, diskMiB },
    ...(lastReset && { lastReset: { at: lastReset.at.toISOString(), ...(lastReset.instructor !== undefined && { instructor: lastReset.instructor }) } }),
  });
}

/** The learner's machine as their panel shows it: limits, when it sleeps and ends, its last reset. */
async function ownMachine(deps: ApiDeps, learner: string, machine?: MachineInfo): Promise<MachineView> {
  const current = machine ?? (await deps.machines.machineOf(learner));
  return machineView(current, current && deps.machines.idleAt(learner, current.limits.idleSeconds), deps.resets.lastReset(learner));
}

/** The learner's own machine: see it, start it explicitly (a terminal attach starts it too), or reset it. */
export const machineRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/machine$/,
    handle: async ({ res, identity, deps }) => sendJson(res, 200, { machine: await ownMachine(deps, identity.learner) } satisfies MachineAnswer),
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
      sendJson(res, 200, { machine: await ownMachine(deps, identity.learner, await deps.machines.acquire(identity.learner)) } satisfies MachineAnswer);
    },
  },
  {
    method: 'POST',
    path: /^\/api\/machine\/reset$/,
    handle: async ({ res, identity, deps }) => {
      const refused = await deps.anonymousStarts.refusal(identity.learner);
      if (refused) throw new HttpError(401, refused);
      const fresh = await resetOrRefuse(res, () => deps.resets.reset(identity.learner, { kind: 'learner' }));
      sendJson(res, 200, { machine: await ownMachine(deps, identity.learner, fresh) } satisfies MachineAnswer);
    },
  },
];

/** Runs a reset, answering its refusals: 409 without a machine, 429 (Retry-After) past the limit. */
export async function resetOrRefuse<T>(res: ServerResponse, reset: () => Promise<T>): Promise<T> {
  try {
    return await reset();
  } catch (error) {
    if (error instanceof NoMachineToResetError) throw new HttpError(409, error.message);
    if (error instanceof ResetLimitError) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw new HttpError(429, error.message);
    }
    throw error;
  }
}
