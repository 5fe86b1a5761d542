import { createInterface } from 'node:readline';
import { DockerDriver } from '../../sandbox/docker/driver.ts';
import type { MachineProcess, MachineShell } from '../../sandbox/driver.ts';

/**
 * The docker driver on another host, for a test there (tests/support/remote-driver.ts):
 * bundled with esbuild, copied to that host and run over SSH. It serves the driver's
 * methods as JSON lines on stdin and stdout; shells and processes stream their output as events.
 *
 *   node driver-agent.mjs IMAGE_TAG
 */
// Nested in an emulated VM, a machine boots in minutes, not a second.
const driver = new DockerDriver({ cacheDir: '/var/cache/unboxed-agent', image: process.argv[2], readyTimeoutMs: 30 * 60_000, log: (event, fields) => console.error(JSON.stringify({ event, ...fields })) });
const shells = new Map<number, MachineShell>();
const processes = new Map<number, MachineProcess>();

const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, method, args } = JSON.parse(line) as { id: number; method: string; args: unknown[] };
  // JSON has no undefined: an argument left out (create's learner) arrives as null.
  void serve(id, method, args.map((arg) => arg ?? undefined)).then(
    (result) => send({ id, result }),
    (error: unknown) => send({ id, error: { name: (error as Error).name, message: (error as Error).message } }),
  );
});

async function serve(id: number, method: string, args: unknown[]): Promise<unknown> {
  if (method === 'openShell') {
    const shell = await driver.openShell(...(args as Parameters<DockerDriver['openShell']>));
    shells.set(id, shell);
    shell.onData((data) => send({ shell: id, data }));
    shell.onExit((code) => {
      shells.delete(id);
      send({ shell: id, exit: code });
    });
    return id;
  }
  if (method === 'spawn') {
    const process = await driver.spawn(...(args as Parameters<DockerDriver['spawn']>));
    processes.set(id, process);
    process.onStdout((chunk) => send({ process: id, stdout: chunk.toString('base64') }));
    process.onExit(() => {
      processes.delete(id);
      send({ process: id, exit: true });
    });
    return id;
  }
  if (method.startsWith('process.')) {
    const [processId, data] = args as [number, string?];
    const process = processes.get(processId);
    if (!process) throw new Error(`no process ${processId}`);
    if (method === 'process.write') process.write(data ?? '');
    else process.close();
    return null;
  }
  if (method.startsWith('shell.')) {
    const [shellId, ...rest] = args as [number, ...unknown[]];
    const shell = shells.get(shellId);
    if (!shell) throw new Error(`no shell ${shellId}`);
    const call = method.slice('shell.'.length) as 'write' | 'resize' | 'pause' | 'resume' | 'close';
    (shell[call] as (...a: unknown[]) => void)(...rest);
    return null;
  }
  const call = (driver as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
  if (typeof call !== 'function') throw new Error(`no driver method ${method}`);
  return (await call.apply(driver, args)) ?? null;
}
