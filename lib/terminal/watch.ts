import type WebSocket from 'ws';
import type { TerminalHub } from './hub.ts';
import { CloseCode, WatchClientMessage, type TakeoverState, type WatchNotice, type WatchServerMessage } from './protocol.ts';

/**
 * Bytes waiting on a watcher's socket above which its output is skipped (and a `gap`
 * sent once it drains): a slow watcher loses output, it never pauses the learner's shell.
 */
const WATCHER_BEHIND_BYTES = 1024 * 1024;

/** One instructor's socket watching one learner. */
interface Watcher {
  readonly name: string;
  readonly socket: WebSocket;
  /** The learner's terminals this watcher sees, each with the function that stops it. */
  readonly views: Map<string, () => void>;
  /** Terminals whose output was skipped since the last chunk this watcher got. */
  readonly behind: Set<string>;
}

/**
 * Who watches which learner. A watcher sees every terminal the learner has open, and
 * those opened later, read-only from the start of their scrollback. It may type only
 * during a take-over the learner accepted on their own screen; the learner may end it
 * at any time. The learner's terminals are told who watches (and stops watching).
 */
export class Watches {
  private readonly rooms = new Map<string, WatchRoom>();

  constructor(private readonly hub: TerminalHub) {}

  /**
   * `socket` (authorized already, lib/terminal/watch-upgrade.ts) watches `learner` until it
   * closes; `names` are what the learner and the watcher are shown as.
   */
  watch(learner: string, names: { readonly learner: string; readonly watcher: string }, socket: WebSocket): void {
    let room = this.rooms.get(learner);
    if (!room) {
      room = new WatchRoom(learner, this.hub, () => this.rooms.delete(learner));
      this.rooms.set(learner, room);
    }
    room.add({ name: names.watcher, socket, views: new Map(), behind: new Set() }, names.learner);
  }

  /** Ends every watch (the server is shutting down: open sockets would hold it up). */
  closeAll(): void {
    for (const room of [...this.rooms.values()]) room.close();
  }
}

/** The watchers of one learner, and the take-over if one is asked for or granted. */
class WatchRoom {
  private readonly watchers = new Set<Watcher>();
  private takeover: { readonly watcher: Watcher; state: 'asked' | 'granted' } | undefined;
  private readonly stopObserving: () => void;

  constructor(
    private readonly learner: string,
    private readonly hub: TerminalHub,
    private readonly emptied: () => void,
  ) {
    this.stopObserving = hub.observe(learner, {
      terminalsChanged: () => {
        for (const watcher of this.watchers) this.showTerminals(watcher);
        this.announce();
      },
      takeover: (answer) => this.answered(answer),
    });
  }

  close(): void {
    for (const watcher of [...this.watchers]) {
      watcher.socket.close(1001, 'the server is shutting down');
      this.remove(watcher);
    }
  }

  add(watcher: Watcher, learnerName: string): void {
    this.watchers.add(watcher);
    const { socket } = watcher;
    send(watcher, { t: 'watching', learner: learnerName });
    this.showTerminals(watcher);
    this.announce();
    socket.on('message', (raw, isBinary) => {
      if (socket.readyState !== socket.OPEN) return;
      const message = isBinary ? undefined : parse(String(raw));
      if (!message) {
        send(watcher, { t: 'error', message: 'malformed watch message' });
        socket.close(CloseCode.badMessage, 'malformed message');
        return;
      }
      this.handle(watcher, message);
    });
    socket.on('error', () => socket.terminate());
    socket.on('close', () => this.remove(watcher));
    if (socket.readyState === socket.CLOSED) this.remove(watcher);
  }

  private handle(watcher: Watcher, message: WatchClientMessage): void {
    switch (message.t) {
      case 'input':
        // The door that matters: nothing a watcher sends reaches the shell without the learner's yes.
        if (this.takeover?.watcher !== watcher || this.takeover.state !== 'granted') {
          send(watcher, { t: 'error', message: 'you can type only after the learner accepts your request' });
          return;
        }
        this.hub.session(this.learner, message.terminal)?.write(message.data);
        return;
      case 'takeover-request':
        if (this.takeover && this.takeover.watcher !== watcher) return tell(watcher, 'busy');
        if (this.takeover) return tell(watcher, this.takeover.state);
        this.takeover = { watcher, state: 'asked' };
        tell(watcher, 'asked');
        this.announce();
        return;
      case 'takeover-end':
        if (this.takeover?.watcher !== watcher) return tell(watcher, 'none');
        this.endTakeover('none');
        return;
    }
  }

  private answered(answer: 'accept' | 'refuse' | 'end'): void {
    const takeover = this.takeover;
    if (!takeover) return;
    if (answer === 'accept') {
      if (takeover.state === 'granted') return;
      takeover.state = 'granted';
      tell(takeover.watcher, 'granted');
      this.announce();
      return;
    }
    this.endTakeover(answer === 'refuse' && takeover.state === 'asked' ? 'refused' : 'none');
  }

  private endTakeover(told: TakeoverState): void {
    const watcher = this.takeover?.watcher;
    this.takeover = undefined;
    if (watcher) tell(watcher, told);
    this.announce();
  }

  /** Keeps the watcher's views in step with the learner's open terminals. */
  private showTerminals(watcher: Watcher): void {
    const open = this.hub.list(this.learner);
    for (const [name, stop] of watcher.views) {
      if (open.includes(name)) continue;
      stop();
      watcher.views.delete(name);
    }
    // The list first: the page makes a screen for a terminal before its output arrives.
    send(watcher, { t: 'terminals', terminals: open });
    for (const name of open) {
      const session = this.hub.session(this.learner, name);
      if (!session || watcher.views.has(name)) continue;
      watcher.views.set(
        name,
        session.view({
          output: (seq, data) => this.output(watcher, name, seq, data),
          resize: (size) => send(watcher, { t: 'size', terminal: name, ...size }),
        }),
      );
    }
  }

  private output(watcher: Watcher, terminal: string, seq: number, data: string): void {
    if (watcher.socket.bufferedAmount > WATCHER_BEHIND_BYTES) {
      watcher.behind.add(terminal);
      return;
    }
    if (watcher.behind.delete(terminal)) send(watcher, { t: 'gap', terminal });
    send(watcher, { t: 'output', terminal, seq, data });
  }

  private remove(watcher: Watcher): void {
    if (!this.watchers.delete(watcher)) return;
    for (const stop of watcher.views.values()) stop();
    watcher.views.clear();
    if (this.takeover?.watcher === watcher) this.takeover = undefined;
    this.announce();
    if (this.watchers.size > 0) return;
    this.stopObserving();
    this.emptied();
  }

  /** Tells each of the learner's terminals who watches now. */
  private announce(): void {
    const notice: WatchNotice = {
      watchers: [...new Set([...this.watchers].map((w) => w.name))],
      takeover: this.takeover ? { by: this.takeover.watcher.name, state: this.takeover.state } : null,
    };
    for (const name of this.hub.list(this.learner)) this.hub.session(this.learner, name)?.announce(notice);
  }
}

function tell(watcher: Watcher, state: TakeoverState): void {
  send(watcher, { t: 'takeover', state });
}

function send(watcher: Watcher, message: WatchServerMessage): void {
  if (watcher.socket.readyState === watcher.socket.OPEN) watcher.socket.send(JSON.stringify(message));
}

function parse(text: string): WatchClientMessage | undefined {
  try {
    const result = WatchClientMessage.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
