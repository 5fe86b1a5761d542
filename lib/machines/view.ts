import { z } from 'zod';

/**
 * A learner's machine as their page sees it: state, limits, and what happens to it when.
 * The answer of `GET /api/machine` (lib/server/machine-routes.ts), read by the terminal
 * pane in the browser, so this module imports nothing but zod.
 */
export const MachineView = z.strictObject({
  state: z.enum(['none', 'starting', 'running', 'stopped', 'lost']).describe("lost: its node went down; the next terminal gets a fresh machine"),
  driver: z.string().optional(),
  expiresAt: z.iso.datetime().optional().describe('When the machine is removed (its lifetime ends)'),
  idleSeconds: z.int().optional().describe('Unused this long, the machine is stopped: memory freed, files kept until expiresAt'),
  idleAt: z.iso.datetime().optional().describe('When the machine is stopped if nobody uses it from now on'),
  limits: z.strictObject({ memoryMiB: z.int(), cpus: z.number(), pids: z.int(), diskMiB: z.int() }).optional(),
  lastReset: z
    .strictObject({
      at: z.iso.datetime(),
      instructor: z.string().optional().describe("The instructor who reset it; absent when the learner did"),
    })
    .optional()
    .describe("The machine's last reset since the server started"),
});
export type MachineView = z.infer<typeof MachineView>;

/** The body of `GET /api/machine` and `POST /api/machine`. */
export const MachineAnswer = z.strictObject({ machine: MachineView });
export type MachineAnswer = z.infer<typeof MachineAnswer>;
