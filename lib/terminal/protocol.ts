import { z } from 'zod';

/**
 * The terminal wire protocol: small JSON messages with an opcode `t`, validated on
 * arrival at both ends. Output chunks carry a sequence number so a reconnecting
 * client can ask for exactly what it missed.
 */

/** WebSocket path; the terminal name follows: `/ws/terminal/<name>`. */
export const TERMINAL_PATH = '/ws/terminal';

export const TerminalName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1–32 lowercase letters, digits or hyphens');

/** Largest input message accepted (a big paste); larger ones are refused, not cut. */
export const MAX_INPUT_CHARS = 64 * 1024;
/** WebSocket frame limit; anything bigger closes the connection (1009). */
export const MAX_FRAME_BYTES = 4 * MAX_INPUT_CHARS;

const Size = {
  cols: z.int().min(2).max(1000),
  rows: z.int().min(2).max(500),
};

export const ClientMessage = z.discriminatedUnion('t', [
  /**
   * First message: attach, replaying output after `lastSeq` (0 = everything kept).
   * `epoch` is the one from the last `ready`; another epoch means the shell session
   * is not the one the client saw (the server restarted), so it gets everything.
   */
  z.strictObject({ t: z.literal('hello'), epoch: z.string().max(64).optional(), lastSeq: z.int().min(0), ...Size }),
  z.strictObject({ t: z.literal('input'), data: z.string().min(1).max(MAX_INPUT_CHARS) }),
  z.strictObject({ t: z.literal('resize'), ...Size }),
  /** Flow control: the browser is behind on rendering; stop reading the shell. */
  z.strictObject({ t: z.literal('pause') }),
  z.strictObject({ t: z.literal('resume') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('t', [
  /** The machine is being prepared; shown until `ready`. */
  z.strictObject({ t: z.literal('status'), message: z.string() }),
  z.strictObject({ t: z.literal('ready'), terminal: TerminalName, epoch: z.string() }),
  z.strictObject({ t: z.literal('output'), seq: z.int().positive(), data: z.string() }),
  /** Output the client asked for was already trimmed from the bounded buffer. */
  z.strictObject({ t: z.literal('gap'), droppedChunks: z.int().positive() }),
  /** Another connection (a newer tab or reload) attached to this terminal. */
  z.strictObject({ t: z.literal('taken-over') }),
  z.strictObject({ t: z.literal('exit'), code: z.int() }),
  /** The learner's machine was replaced by a fresh one (a reset): says by whom; the client reconnects to the fresh one. */
  z.strictObject({ t: z.literal('machine-reset'), message: z.string() }),
  z.strictObject({ t: z.literal('error'), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** Close codes in the application range, so the client knows not to reconnect. */
export const CloseCode = {
  takenOver: 4001,
  badMessage: 4002,
  exited: 4003,
  /** The learner is at their terminal limit; the `error` before it says what to do. */
  tooManyTerminals: 4004,
  /** The account's session ended (sign-out, revocation): the `error` before it says so. */
  signedOut: 4005,
  /** This server gives machines to signed-in learners only: the `error` before it says so. */
  signInRequired: 4006,
  /** The machine was reset: the `machine-reset` before it says by whom; reconnecting attaches to the fresh machine. */
  machineReset: 4007,
} as const;
