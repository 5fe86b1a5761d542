import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { MachineShell, ShellSize } from '../driver.ts';
import { streamShell } from './exec.ts';

/**
 * A terminal attached straight to the dtach master holding a shell in a machine, from the
 * host: the app speaks dtach's client protocol on the master's socket, which the machine's
 * disk carries (sandbox/image/machine-init.sh binds it in at /run/unboxed-terminals). No
 * `docker exec` in the keystroke's path: the engine's attach costs dockerd, a shim and a
 * FIFO each way (p50 0.6 ms, p99 3–5 ms and about 10 MB/s here, against 0.15 ms, 1.5 ms
 * and 50 MB/s on the socket).
 */

/** dtach's packet types (dtach.h): a packet is a type, a length and 8 bytes. */
const MSG_PUSH = 0;
const MSG_ATTACH = 1;
const MSG_WINCH = 3;
const MSG_REDRAW = 4;
/** Redraw by SIGWINCH on attach: full-screen programs repaint (dtach's `-r winch`). */
const REDRAW_WINCH = 3;
const PACKET_BYTES = 10;
const PUSH_BYTES = 8;
/** Linux's O_PATH, which Node does not export: a handle on the socket's inode, nothing more. */
const O_PATH = 0o10000000;

/** The master's socket was not there, or nothing listens on it (its shell ended, the machine restarted). */
export class NoSessionError extends Error {
  override name = 'NoSessionError';
}

function packet(type: number, payload: Uint8Array = new Uint8Array(0), len = payload.length): Buffer {
  const bytes = Buffer.alloc(PACKET_BYTES);
  bytes[0] = type;
  bytes[1] = len;
  bytes.set(payload.subarray(0, PUSH_BYTES), 2);
  return bytes;
}

/** struct winsize: rows, cols, then two pixel sizes dtach ignores. */
function winsize({ cols, rows }: ShellSize): Buffer {
  const bytes = Buffer.alloc(PUSH_BYTES);
  bytes.writeUInt16LE(rows, 0);
  bytes.writeUInt16LE(cols, 2);
  return bytes;
}

/** Keystrokes as PUSH packets of up to 8 bytes each, in one buffer (one write). */
function pushes(data: string): Buffer {
  const bytes = Buffer.from(data, 'utf8');
  const packets: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += PUSH_BYTES) packets.push(packet(MSG_PUSH, bytes.subarray(at, at + PUSH_BYTES)));
  return Buffer.concat(packets);
}

/**
 * Connects to the unix socket at `hostPath` without following a link there. The file is in
 * a folder the machine's root can write: a symlink planted in its place (to the host's
 * Docker socket, say) would be resolved on the host. Opened with O_NOFOLLOW and checked to
 * be a socket, the inode is then reached through this process's own descriptor of it.
 */
async function connectNoFollow(hostPath: string): Promise<Socket> {
  let fd: number;
  try {
    fd = openSync(hostPath, O_PATH | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NoSessionError(`no terminal session at ${hostPath}`);
    throw error;
  }
  try {
    if (!fstatSync(fd).isSocket()) throw new NoSessionError(`${hostPath} is not a terminal session's socket`);
    const socket = connect(`/proc/self/fd/${fd}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve).once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? new NoSessionError(`nothing serves the terminal session at ${hostPath}`) : error);
      });
    });
    return socket;
  } finally {
    closeSync(fd);
  }
}

/**
 * Attaches to the dtach master at `hostPath` as its client, at `size`. Throws
 * `NoSessionError` when there is no live session there. The session outlives this
 * attachment: closing it leaves the shell running, for the next attach.
 */
export async function attachDtach(hostPath: string, size: ShellSize): Promise<MachineShell> {
  const socket = await connectNoFollow(hostPath);
  socket.write(Buffer.concat([packet(MSG_ATTACH), packet(MSG_REDRAW, winsize(size), REDRAW_WINCH)]));
  // The master ended (its shell exited, or the machine stopped): an end, as an exited exec.
  return streamShell(socket, {
    write: (data) => socket.write(pushes(data)),
    resize: (next) => socket.write(packet(MSG_WINCH, winsize(next))),
    exitCode: () => Promise.resolve(0),
    close: () => socket.destroy(),
  });
}
