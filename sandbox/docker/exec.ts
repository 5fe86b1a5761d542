import { randomBytes } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { ExecOptions, ExecResult, MachineProcess, MachineShell, ShellSize } from '../driver.ts';
import { engineCall, statusOf } from './engine.ts';

/** Output kept per stream; a command printing more is cut (from the front). */
const MAX_OUTPUT = 1024 * 1024;

/**
 * The image's readiness probe (sandbox/image/provision.sh): exits 0 once the machine's
 * dockerd answers and the lesson images are loaded, 1 after 3 s of waiting. Both drivers
 * run it as one exec, again while the machine still runs.
 */
export const MACHINE_READY_PROBE = ['/usr/local/lib/unboxed/wait-ready', '3'] as const;

/**
 * Runs argv in a container as root through the Engine API's exec (a request on the
 * engine's socket, no local process), feeding `stdin` and collecting both streams. A
 * timeout ends the wait and says so; the caller bounds the process inside (checks run
 * under `timeout`).
 */
export async function execIn(container: Docker.Container, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const exec = await engineCall(`exec in ${container.id}`, () =>
    container.exec({ Cmd: [...argv], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false }),
  );
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const stdout = collector();
  const stderr = collector();
  container.modem.demuxStream(stream, stdout.sink, stderr.sink);
  const ended = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve(true);
    }, options.timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(false);
    };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
  stream.on('error', () => undefined);
  // A half-close: the process reads EOF after stdin and can still answer.
  stream.end(options.stdin ?? '');
  const timedOut = await ended;
  return { exitCode: timedOut ? 124 : await exitCodeOf(exec), stdout: stdout.text(), stderr: stderr.text(), timedOut };
}

/** The engine records the exit a moment after the stream ends. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((r) => setTimeout(r, 10));
  }
  return -1;
}

/**
 * A process in the container with its stdin and stdout kept open (no TTY). Ending the
 * connection closes its stdin; a process that reads stdin to its end then exits.
 */
export async function spawnIn(container: Docker.Container, argv: readonly string[]): Promise<MachineProcess> {
  const exec = await engineCall(`starting a process in ${container.id}`, () =>
    container.exec({ Cmd: [...argv], AttachStdin: true, AttachStdout: true, AttachStderr: false, Tty: false }),
  );
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const stdout = new PassThrough();
  container.modem.demuxStream(stream, stdout, new PassThrough().resume());
  const exitListeners: Array<() => void> = [];
  let exited = false;
  const exit = () => {
    if (exited) return;
    exited = true;
    exitListeners.forEach((listener) => listener());
  };
  stream.on('error', exit);
  stream.once('end', exit);
  stream.once('close', exit);
  return {
    write: (data) => void (!exited && stream.write(data)),
    onStdout: (listener) => void stdout.on('data', listener),
    onExit: (listener) => void exitListeners.push(listener),
    close: () => stream.destroy(),
  };
}

/**
 * An interactive attachment on a pseudo-terminal in the container, as a `MachineShell`.
 * Ending the API connection does not end a TTY exec's process, so the process records its
 * pid and closing the attachment ends it: attachments do not pile up in the machine.
 */
export async function shellIn(container: Docker.Container, argv: readonly string[], size: ShellSize): Promise<MachineShell> {
  const pidFile = `/run/unboxed-attach-${randomBytes(6).toString('hex')}.pid`;
  const exec = await engineCall(`opening a shell in ${container.id}`, () =>
    container.exec({ Cmd: ['sh', '-c', 'echo $$ >"$0"; exec "$@"', pidFile, ...argv], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, Env: ['TERM=xterm-256color'], WorkingDir: '/root' }),
  );
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  const resize = ({ cols, rows }: ShellSize) => void exec.resize({ w: cols, h: rows }).catch(() => undefined);
  resize(size);
  return streamShell(stream, {
    write: (data) => stream.write(data),
    resize,
    exitCode: () =>
      exec.inspect().then(
        (info) => info.ExitCode ?? 0,
        // The engine answered that the exec is gone (its machine stopped): an end. No
        // answer at all: the connection to the engine was lost, not the shell.
        (error: unknown) => (statusOf(error) === undefined ? undefined : 0),
      ),
    close: () => {
      stream.destroy();
      // By the container's engine id, not the name it was opened by: a warm machine's name
      // changes when a learner claims it, and a shell held in it would live on unreached.
      void exec
        .inspect()
        .then((info) => execIn(sameEngine(container, info.ContainerID), ['sh', '-c', 'kill -HUP "$(cat "$0")" 2>/dev/null; rm -f "$0"', pidFile], { timeoutMs: 10_000 }))
        .catch(() => undefined);
    },
  });
}

/**
 * A `MachineShell` over `stream`, a terminal's two directions: its output decoded as UTF-8
 * to the data listeners, and, once it closed, its end (`exitCode`: undefined when the
 * connection was lost, not the shell) to the exit listeners. Writing and resizing are the
 * transport's; nothing is written after the end.
 */
export function streamShell(
  stream: Duplex,
  transport: { write(data: string): void; resize(size: ShellSize): void; exitCode(): Promise<number | undefined>; close(): void },
): MachineShell {
  const decoder = new StringDecoder('utf8');
  const dataListeners: Array<(data: string) => void> = [];
  const exitListeners: Array<(code: number | undefined) => void> = [];
  stream.on('data', (chunk: Buffer) => {
    const text = decoder.write(chunk);
    if (text) for (const listener of dataListeners) listener(text);
  });
  stream.on('error', () => undefined);
  let ended = false;
  stream.once('close', () => {
    ended = true;
    void transport.exitCode().then((code) => exitListeners.forEach((listener) => listener(code)));
  });
  return {
    write: (data) => void (!ended && transport.write(data)),
    resize: (size) => void (!ended && transport.resize(size)),
    pause: () => void stream.pause(),
    resume: () => void stream.resume(),
    onData: (listener) => void dataListeners.push(listener),
    onExit: (listener) => void exitListeners.push(listener),
    close: () => transport.close(),
  };
}

/** Container `id` on the engine `container` belongs to. */
function sameEngine(container: Docker.Container, id: string): Docker.Container {
  return new (container.constructor as typeof Docker.Container)(container.modem, id);
}

function collector() {
  const sink = new PassThrough();
  const decoder = new StringDecoder('utf8');
  let text = '';
  sink.on('data', (chunk: Buffer) => (text = (text + decoder.write(chunk)).slice(-MAX_OUTPUT)));
  return { sink, text: () => text + decoder.end() };
}
