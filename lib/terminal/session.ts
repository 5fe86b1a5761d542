import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { MachineShell, ShellSize } from '../../sandbox/driver.ts';
import { OUTPUT_WINDOW_CHARS } from './flow-control.ts';
import { InterruptedOutput } from './interrupt.ts';
import { OutputBuffer } from './output-buffer.ts';
import { CloseCode, ClientMessage, type ServerMessage, type WatchNotice } from './protocol.ts';
import { ShellMarks, type FinishedCommand } from './shell-marks.ts';

/**
 * Output read from the shell in one turn of the event loop goes out as one message, up to
 * this size: a flood costs the browser a few large messages instead of thousands of small
 * ones, and a keystroke's echo waits for nothing.
 */
const MAX_MESSAGE_CHARS = 64 * 1024;
/** A Ctrl-C this soon after the client fell a window behind interrupts a flood (lib/terminal/interrupt.ts). */
const FLOOD_RECENT_MS = 1000;
/** What the terminal says when the connection to its machine broke without the shell exiting. */
const LOST_CONNECTION = 'Lost the connection to your machine: reconnecting…';

export interface SessionEvents {
  activity(): void;
  commandFinished(command: FinishedCommand): void;
  /** The shell exited or the session was closed: forget it. */
  ended(): void;
  /** The learner answered a take-over request, or ended one (lib/terminal/watch.ts). */
  takeover(answer: 'accept' | 'refuse' | 'end'): void;
}

/** Someone who sees a terminal's output without being its client (a watching instructor). */
export interface TerminalViewer {
  output(seq: number, data: string): void;
  /** The learner's terminal size, so the viewer lays the output out as the learner sees it. */
  resize(size: ShellSize): void;
}

/**
 * One persistent shell of a learner: the attachment to it, its recent output, and at
 * most one attached WebSocket. The attachment outlives connections, up to
 * `detachedCloseMs` without one; a newer connection takes the terminal over from an
 * older one (a reload, a second browser tab). Viewers (watching instructors) see the
 * same output besides; they never take the terminal over and never hold the shell back.
 */
export class TerminalSession {
  readonly epoch = randomUUID();
  private readonly buffer = new OutputBuffer();
  private socket: WebSocket | undefined;
  /** Output characters sent on the current socket, and how many of them its client has rendered (flow-control.ts). */
  private sent = 0;
  private acked = 0;
  private paused = false;
  /** Output read but not yet sent: sent at the end of this turn of the event loop. */
  private pending = '';
  private flushing: ReturnType<typeof setImmediate> | undefined;
  private lastPausedAt = -Infinity;
  /** Output printed before a Ctrl-C in a flood, being dropped. */
  private interrupted: { readonly output: InterruptedOutput; quiet?: ReturnType<typeof setTimeout> } | undefined;
  private ended = false;
  private detachTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly marks = new ShellMarks();
  private readonly viewers = new Set<TerminalViewer>();
  private notice: WatchNotice | undefined;
  private size: ShellSize | undefined;

  constructor(
    readonly name: string,
    private readonly shell: MachineShell,
    private readonly detachedCloseMs: number,
    private readonly events: SessionEvents,
  ) {
    shell.onData((data) => {
      this.pending += data;
      if (this.pending.length >= MAX_MESSAGE_CHARS) this.flush();
      else this.flushing ??= setImmediate(() => this.flush());
    });
    shell.onExit((code) => {
      // After close() the socket is gone already; nobody is told twice.
      if (this.ended) return;
      // Not an exit: the machine's engine went away (its node died, or a blip). The
      // shell may live on under dtach, or the machine is lost: a reconnect finds out.
      if (code === undefined) return this.close(CloseCode.machineReset, { t: 'machine-reset', message: LOST_CONNECTION });
      this.end();
      this.send({ t: 'exit', code });
      this.socket?.close(CloseCode.exited, 'shell exited');
    });
  }

  /** Attaches `socket`, replaying what the client has not seen. */
  attach(socket: WebSocket, hello: Extract<ClientMessage, { t: 'hello' }>): void {
    clearTimeout(this.detachTimer);
    const previous = this.socket;
    if (previous) {
      this.socket = undefined;
      previous.send(JSON.stringify({ t: 'taken-over' } satisfies ServerMessage));
      previous.close(CloseCode.takenOver, 'taken over by a newer connection');
    }
    this.socket = socket;
    this.sent = 0;
    this.acked = 0;
    this.setPaused(false);

    this.send({ t: 'ready', terminal: this.name, epoch: this.epoch });
    if (this.notice) this.send({ t: 'watch', ...this.notice });
    const { chunks, dropped } = this.buffer.since(hello.epoch === this.epoch ? hello.lastSeq : 0);
    if (dropped > 0) this.send({ t: 'gap', droppedChunks: dropped });
    for (const chunk of chunks) this.sendOutput(chunk.seq, chunk.data);
    this.resize(hello.cols, hello.rows);

    socket.on('message', (raw, isBinary) => {
      // A socket being closed (taken over, its session ended) is heard no more, even if its client ignores the close.
      if (socket.readyState !== socket.OPEN) return;
      const message = isBinary ? undefined : parse(String(raw));
      if (!message) {
        this.send({ t: 'error', message: 'malformed terminal message' }, socket);
        socket.close(CloseCode.badMessage, 'malformed message');
        return;
      }
      this.handle(message);
    });
    socket.on('close', () => this.detach(socket));
    // The client may have left while the machine was starting: its close event has passed.
    if (socket.readyState === socket.CLOSED) this.detach(socket);
  }

  /** Shows `viewer` the kept scrollback, then the output as it comes, until the returned function is called. */
  view(viewer: TerminalViewer): () => void {
    if (this.size) viewer.resize(this.size);
    for (const chunk of this.buffer.since(0).chunks) viewer.output(chunk.seq, chunk.data);
    this.viewers.add(viewer);
    return () => this.viewers.delete(viewer);
  }

  /** Tells the learner's client who watches them; a client attaching later is told too. */
  announce(notice: WatchNotice): void {
    this.notice = notice;
    this.send({ t: 'watch', ...notice });
  }

  write(data: string): void {
    if (this.ended) return;
    if (data.includes('\x03') && !this.interrupted && (this.paused || performance.now() - this.lastPausedAt < FLOOD_RECENT_MS)) {
      this.interrupted = { output: new InterruptedOutput(performance.now()) };
      this.awaitQuiet();
      // The engine's queue is read at full speed now: it is dropped, not sent.
      this.setPaused(false);
    }
    this.shell.write(data);
    this.events.activity();
  }

  /**
   * Closes the attachment (not the shell in the machine) and any client, telling it
   * `notice` first and closing with `code` (a reset: the client reconnects).
   */
  close(code: number = CloseCode.exited, notice?: ServerMessage): void {
    if (this.ended) return;
    this.end();
    if (notice) this.send(notice);
    this.socket?.close(code, 'terminal closed');
    this.shell.close();
  }

  private end(): void {
    // What the shell printed last still reaches the client, before the exit or the notice.
    this.flush();
    clearTimeout(this.interrupted?.quiet);
    this.interrupted = undefined;
    this.ended = true;
    this.viewers.clear();
    clearTimeout(this.detachTimer);
    this.events.ended();
  }

  private detach(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    // Nobody is rendering: keep reading the shell into the bounded buffer.
    this.setPaused(false);
    if (!this.ended) this.detachTimer = setTimeout(() => this.close(), this.detachedCloseMs);
  }

  private handle(message: ClientMessage): void {
    switch (message.t) {
      case 'input':
        this.write(message.data);
        return;
      case 'resize':
        this.resize(message.cols, message.rows);
        return;
      case 'ack':
        // Never more than was sent: a client cannot talk the window open.
        this.acked = Math.max(this.acked, Math.min(message.chars, this.sent));
        if (this.sent - this.acked < OUTPUT_WINDOW_CHARS / 2) this.setPaused(false);
        return;
      case 'takeover':
        this.events.takeover(message.answer);
        return;
      case 'hello':
        // A hello after attaching is a client bug; the session stays as it is.
        return;
    }
  }

  private resize(cols: number, rows: number): void {
    if (this.ended) return;
    this.shell.resize({ cols, rows });
    this.size = { cols, rows };
    for (const viewer of this.viewers) viewer.resize(this.size);
  }

  private flush(): void {
    clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.pending === '' || this.ended) return;
    const data = this.pending;
    this.pending = '';
    this.show(this.interrupted ? this.dropInterrupted(data) : data);
    for (const command of this.marks.read(data)) this.events.commandFinished(command);
  }

  /** Output for the screen: kept for a reattach, sent to the client and the viewers. */
  private show(data: string): void {
    if (data === '') return;
    const seq = this.buffer.push(data);
    this.sendOutput(seq, data);
    for (const viewer of this.viewers) viewer.output(seq, data);
  }

  private dropInterrupted(data: string): string {
    const { shown, over } = this.interrupted!.output.read(data, performance.now());
    if (over) this.endInterrupt();
    else this.awaitQuiet();
    return shown;
  }

  /** No output for a while: the queue before the Ctrl-C is drained, and no mark came (not a shell's command). */
  private awaitQuiet(): void {
    const interrupted = this.interrupted!;
    clearTimeout(interrupted.quiet);
    interrupted.quiet = setTimeout(() => {
      if (this.interrupted !== interrupted || this.ended) return;
      this.endInterrupt();
      this.show(interrupted.output.end().shown);
    }, interrupted.output.quietMs);
  }

  private endInterrupt(): void {
    clearTimeout(this.interrupted?.quiet);
    this.interrupted = undefined;
  }

  private sendOutput(seq: number, data: string): void {
    if (!this.socket || this.socket.readyState !== this.socket.OPEN) return;
    this.send({ t: 'output', seq, data });
    this.sent += data.length;
    if (this.sent - this.acked > OUTPUT_WINDOW_CHARS) this.setPaused(true);
  }

  private send(message: ServerMessage, socket = this.socket): void {
    if (!socket || socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(message));
  }

  private setPaused(on: boolean): void {
    if (this.paused === on || this.ended) return;
    this.paused = on;
    if (on) this.lastPausedAt = performance.now();
    if (on) this.shell.pause();
    else this.shell.resume();
  }
}

function parse(text: string): ClientMessage | undefined {
  try {
    const result = ClientMessage.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
