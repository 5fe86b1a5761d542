import { createConnection, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { SandboxError } from '../driver.ts';

/** One line from QEMU's monitor: a greeting, an event, or the answer to our command. */
const QmpMessage = z.union([
  z.object({ QMP: z.unknown() }),
  z.object({ event: z.string() }),
  z.object({ return: z.unknown() }),
  z.object({ error: z.object({ class: z.string(), desc: z.string() }) }),
]);

export class QmpError extends SandboxError {
  override name = 'QmpError';
}

/**
 * A QEMU Machine Protocol connection (JSON lines over a Unix socket), enough to drive a
 * VM's state: commands go one at a time and each waits for its answer; events are ignored.
 */
export class Qmp {
  private readonly answers: Array<(message: z.infer<typeof QmpMessage>) => void> = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly socket: Socket) {
    // QEMU closes the monitor when it quits; whoever waits for an answer then gets an error.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      for (const answer of this.answers.splice(0)) answer({ error: { class: 'Closed', desc: 'QEMU closed the monitor' } });
    });
    const lines = createInterface({ input: socket });
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      let parsed;
      try {
        parsed = QmpMessage.safeParse(JSON.parse(line));
      } catch {
        return;
      }
      if (parsed.success && ('return' in parsed.data || 'error' in parsed.data)) this.answers.shift()?.(parsed.data);
    });
  }

  /** Connects, waiting up to `timeoutMs` for QEMU to create the socket, and leaves negotiation mode. */
  static async connect(path: string, timeoutMs = 10_000): Promise<Qmp> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(path, () => resolve(s));
          s.once('error', reject);
        });
        const qmp = new Qmp(socket);
        await qmp.execute('qmp_capabilities');
        return qmp;
      } catch (error) {
        if (Date.now() > deadline) throw new QmpError(`QEMU monitor ${path} did not answer: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const run = this.queue.then(
      () =>
        new Promise((resolve, reject) => {
          this.answers.push((message) => ('error' in message ? reject(new QmpError(`${command}: ${message.error.desc}`)) : resolve('return' in message ? message.return : undefined)));
          this.socket.write(JSON.stringify({ execute: command, ...(args && { arguments: args }) }) + '\n');
        }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Polls `query-status` until the VM reaches `status` (e.g. 'paused' after an incoming migration). */
  async waitForStatus(status: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = z.object({ status: z.string() }).parse(await this.execute('query-status')).status;
      if (last === status) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new QmpError(`VM still '${last}' after ${timeoutMs / 1000} s, expected '${status}'`);
  }

  close(): void {
    this.socket.end();
  }
}
