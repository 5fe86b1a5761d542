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

/** Who is watching the learner, and whether one of them asked to type or may type: sent to the learner's terminals. */
export const WatchNotice = z.strictObject({
  /** Names of the instructors watching now; empty when the watch stopped. */
  watchers: z.array(z.string()).readonly(),
  takeover: z.strictObject({ by: z.string(), state: z.enum(['asked', 'granted']) }).nullable(),
});
export type WatchNotice = z.infer<typeof WatchNotice>;

/** The learner's messages about a take-over, sent on any of their terminals. */
export const TakeoverAnswer = z.strictObject({
  t: z.literal('takeover'),
  /** accept / refuse a request; end a granted take-over (or withdraw consent before it is used). */
  answer: z.enum(['accept', 'refuse', 'end']),
});

export const ClientMessage = z.discriminatedUnion('t', [
  /**
   * First message: attach, replaying output after `lastSeq` (0 = everything kept).
   * `epoch` is the one from the last `ready`; another epoch means the shell session
   * is not the one the client saw (the server restarted), so it gets everything.
   */
  z.strictObject({ t: z.literal('hello'), epoch: z.string().max(64).optional(), lastSeq: z.int().min(0), ...Size }),
  z.strictObject({ t: z.literal('input'), data: z.string().min(1).max(MAX_INPUT_CHARS) }),
  z.strictObject({ t: z.literal('resize'), ...Size }),
  /** Flow control (lib/terminal/flow-control.ts): output characters rendered on this connection so far. */
  z.strictObject({ t: z.literal('ack'), chars: z.int().min(0) }),
  TakeoverAnswer,
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
  /**
   * The shell was cut off from its machine: a reset replaced the machine (says by whom),
   * or its node stopped answering. The client reconnects, to the fresh machine if there is one.
   */
  z.strictObject({ t: z.literal('machine-reset'), message: z.string() }),
  z.strictObject({ t: z.literal('error'), message: z.string() }),
  /** Who watches the learner now (lib/terminal/watch.ts); sent on attach and on every change. */
  WatchNotice.extend({ t: z.literal('watch') }),
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
  /** The machine was reset or lost: the `machine-reset` before it says why; reconnecting attaches to the fresh machine. */
  machineReset: 4007,
  /** A watch whose watcher may no longer watch (the learner left the class, the role changed): the `error` before it says so. */
  watchNotAllowed: 4010,
} as const;

/**
 * Watching a learner: instructors of the learner's classes see the learner's terminals
 * live and read-only, and may type only while the learner lets them ("take-over").
 */

/** WebSocket path of a watch: `/ws/watch/<classId>/<userId>`, the learner as the gradebook names them. */
export const WATCH_PATH = '/ws/watch';

/** From the watching instructor's page. */
export const WatchClientMessage = z.discriminatedUnion('t', [
  /** Keystrokes for one of the learner's terminals: reach the shell only during a granted take-over. */
  z.strictObject({ t: z.literal('input'), terminal: TerminalName, data: z.string().min(1).max(MAX_INPUT_CHARS) }),
  /** Ask the learner to let this instructor type. */
  z.strictObject({ t: z.literal('takeover-request') }),
  /** Stop asking, or stop typing. */
  z.strictObject({ t: z.literal('takeover-end') }),
]);
export type WatchClientMessage = z.infer<typeof WatchClientMessage>;

export const TakeoverState = z.enum(['none', 'asked', 'granted', 'refused', 'busy']);
export type TakeoverState = z.infer<typeof TakeoverState>;

/** To the watching instructor's page. */
export const WatchServerMessage = z.discriminatedUnion('t', [
  /** First: whom this socket watches (their name). A reconnect starts over with it. */
  z.strictObject({ t: z.literal('watching'), learner: z.string() }),
  /** The learner's open terminals now; output of each follows from the start of its scrollback. */
  z.strictObject({ t: z.literal('terminals'), terminals: z.array(TerminalName).readonly() }),
  z.strictObject({ t: z.literal('output'), terminal: TerminalName, seq: z.int().positive(), data: z.string() }),
  /** The learner's terminal size (before its replay, and whenever it changes). */
  z.strictObject({ t: z.literal('size'), terminal: TerminalName, ...Size }),
  /** This watcher fell behind and output was skipped (the learner's shell is never held back for a watcher). */
  z.strictObject({ t: z.literal('gap'), terminal: TerminalName }),
  /** This watcher's take-over: `busy` when another instructor holds or asked for it. */
  z.strictObject({ t: z.literal('takeover'), state: TakeoverState }),
  z.strictObject({ t: z.literal('error'), message: z.string() }),
]);
export type WatchServerMessage = z.infer<typeof WatchServerMessage>;
