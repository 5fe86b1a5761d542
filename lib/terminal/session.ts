import { randomUUID } from 'node:crypto';
import type { IPty } from 'node-pty';
import type WebSocket from 'ws';
import { OutputBuffer } from './output-buffer.ts';
import { CloseCode, ClientMessage, type ServerMessage } from './protocol.ts';

/** Unacknowledged bytes on the socket above which the shell is paused. */
const SOCKET_HIGH = 1024 * 1024;
const SOCKET_LOW = 128 * 1024;

type PauseReason = 'client' | 'socket';

/** OSC 133;D: the machine's shell reports that a command finished (shell integration). */
const COMMAND_DONE = '\x1b]133;D';

/**
 * One persistent shell of a learner: the pty, its recent output, and at most one
 * attached WebSocket. The pty outlives connections; a newer connection takes the
 * terminal over from an older one (a reload, a second browser tab).
 */
export class TerminalSession {
  readonly epoch = randomUUID();
  private readonly buffer = new OutputBuffer();
  private socket: WebSocket | undefined;
  private readonly paused = new Set<PauseReason>();
  private unacked = 0;
  private exitCode: number | undefined;
  /** The end of the previous chunk, so a marker split across two chunks is still seen once. */
  private carry = '';

  constructor(
    readonly name: string,
    private readonly pty: IPty,
    private readonly events: { activity(): void; commandFinished(): void; exit(): void },
  ) {
    pty.onData((data) => {
      const seq = this.buffer.push(data);
      this.send({ t: 'output', seq, data });
      const scanned = this.carry + data;
      if (scanned.includes(COMMAND_DONE)) events.commandFinished();
      this.carry = scanned.slice(-(COMMAND_DONE.length - 1));
    });
    pty.onExit(({ exitCode }) => {
      this.exitCode = exitCode;
      this.send({ t: 'exit', code: exitCode });
      this.socket?.close(CloseCode.exited, 'shell exited');
      events.exit();
    });
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  /** Attaches `socket`, replaying what the client has not seen. */
  attach(socket: WebSocket, hello: Extract<ClientMessage, { t: 'hello' }>): void {
    const previous = this.socket;
    if (previous) {
      this.socket = undefined;
      previous.send(JSON.stringify({ t: 'taken-over' } satisfies ServerMessage));
      previous.close(CloseCode.takenOver, 'taken over by a newer connection');
    }
    this.socket = socket;
    this.unacked = 0;
    this.setPaused('client', false);
    this.setPaused('socket', false);

    this.send({ t: 'ready', terminal: this.name, epoch: this.epoch });
    const { chunks, dropped } = this.buffer.since(hello.epoch === this.epoch ? hello.lastSeq : 0);
    if (dropped > 0) this.send({ t: 'gap', droppedChunks: dropped });
    for (const chunk of chunks) this.send({ t: 'output', seq: chunk.seq, data: chunk.data });
    this.resize(hello.cols, hello.rows);

    socket.on('message', (raw, isBinary) => {
      const message = isBinary ? undefined : parse(String(raw));
      if (!message) {
        this.send({ t: 'error', message: 'malformed terminal message' }, socket);
        socket.close(CloseCode.badMessage, 'malformed message');
        return;
      }
      this.handle(message);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // Nobody is rendering: keep reading the shell into the bounded buffer.
      this.setPaused('client', false);
      this.setPaused('socket', false);
    });
  }

  write(data: string): void {
    this.pty.write(data);
    this.events.activity();
  }

  close(): void {
    this.socket?.close(CloseCode.exited, 'terminal closed');
    if (!this.exited) this.pty.kill();
  }

  private handle(message: ClientMessage): void {
    switch (message.t) {
      case 'input':
        this.write(message.data);
        return;
      case 'resize':
        this.resize(message.cols, message.rows);
        return;
      case 'pause':
      case 'resume':
        this.setPaused('client', message.t === 'pause');
        return;
      case 'hello':
        // A hello after attaching is a client bug; the session stays as it is.
        return;
    }
  }

  private resize(cols: number, rows: number): void {
    if (!this.exited) this.pty.resize(cols, rows);
  }

  private send(message: ServerMessage, socket = this.socket): void {
    if (!socket || socket.readyState !== socket.OPEN) return;
    const frame = JSON.stringify(message);
    this.unacked += frame.length;
    if (this.unacked > SOCKET_HIGH) this.setPaused('socket', true);
    socket.send(frame, () => {
      if (socket !== this.socket) return;
      this.unacked -= frame.length;
      if (this.unacked < SOCKET_LOW) this.setPaused('socket', false);
    });
  }

  private setPaused(reason: PauseReason, on: boolean): void {
    const before = this.paused.size > 0;
    if (on) this.paused.add(reason);
    else this.paused.delete(reason);
    const after = this.paused.size > 0;
    if (before === after || this.exited) return;
    if (after) this.pty.pause();
    else this.pty.resume();
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
