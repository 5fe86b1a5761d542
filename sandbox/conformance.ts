import { afterAll, expect, it } from 'vitest';
import { MachineAgents } from './agent.ts';
import { MachineLimits, type MachineInfo, type SandboxDriver } from './driver.ts';

/**
 * What every driver must do, as one suite each driver's test calls in one line:
 * create → docker run inside → files appear under the machine's /var/lib/docker →
 * its agent answers as exec does → a learner's machine is found by name → its shell outlives an attachment → stop keeps
 * its disk and start brings it back → a new machine made for the learner is clean, and
 * the only one they have → destroy leaves nothing.
 * The steps share one machine and run in order.
 */
export function runDriverConformance(name: string, factory: () => SandboxDriver, leftovers: (destroyed: readonly string[]) => Promise<string[]>): void {
  const driver = factory();
  const limits = MachineLimits.parse({});
  const learner = 'conformance-learner';
  const created: string[] = [];
  let machine: MachineInfo;
  const sh = (script: string, timeoutMs = 120_000) => driver.exec(machine.id, ['sh', '-c', script], { timeoutMs });

  afterAll(async () => {
    for (const id of created) await driver.destroy(id).catch(() => undefined);
  });

  it(`${name}: a machine runs containers and keeps their files`, async () => {
    await driver.probe();
    machine = await driver.create(limits);
    created.push(machine.id);
    expect(machine).toMatchObject({ driver: driver.name, state: 'running', learner: undefined });
    expect((await driver.list()).map((m) => m.id)).toContain(machine.id);

    const run = await sh('docker run --name probe busybox echo hello-from-inside');
    expect(run).toMatchObject({ exitCode: 0, stdout: 'hello-from-inside\n', timedOut: false });
    const files = await sh('id=$(docker inspect -f {{.Id}} probe); ls /var/lib/docker/containers/$id; docker info -f {{.Driver}}');
    expect(files.stdout).toContain('config.v2.json');
    expect(files.stdout).toContain('hostconfig.json');
    expect(files.stdout.trim().split('\n').at(-1)).toBe('overlay2');

    const stdin = await driver.exec(machine.id, ['cat'], { stdin: 'through stdin', timeoutMs: 10_000 });
    expect(stdin.stdout).toBe('through stdin');
    const failing = await sh('echo oops >&2; exit 7');
    expect(failing).toMatchObject({ exitCode: 7, stderr: 'oops\n' });
    const slow = await driver.exec(machine.id, ['sleep', '30'], { timeoutMs: 500 });
    expect(slow.timedOut).toBe(true);
  });

  it(`${name}: the machine's agent answers as exec does, many commands at once, and comes back when killed`, async () => {
    const agents = new MachineAgents(driver);
    try {
      const options = { timeoutMs: 10_000 };
      expect(await agents.run(machine.id, ['cat'], { ...options, stdin: 'through stdin: ü\n' })).toEqual({ exitCode: 0, stdout: 'through stdin: ü\n', stderr: '', timedOut: false });
      const failing = await agents.run(machine.id, ['sh', '-c', 'echo out; echo oops >&2; exit 7', 'an\nargument'], options);
      expect(failing).toEqual({ exitCode: 7, stdout: 'out\n', stderr: 'oops\n', timedOut: false });
      // Its own environment is an exec's (the learner's profile is not read by either).
      const env = (argv: string[]) => ['sh', '-c', 'echo "$HOME $PATH" && pwd', ...argv];
      expect((await agents.run(machine.id, env([]), options)).stdout).toBe((await driver.exec(machine.id, env([]), options)).stdout);
      const many = await Promise.all(Array.from({ length: 8 }, (_, i) => agents.run(machine.id, ['sh', '-c', `sleep 0.$((${i} % 3)); seq ${i * 500}`], options)));
      expect(many.map((r) => r.stdout.split('\n').length - 1)).toEqual(Array.from({ length: 8 }, (_, i) => i * 500));
      expect((await agents.run(machine.id, ['sleep', '30'], { timeoutMs: 500 })).timedOut).toBe(true);

      await sh("pkill -KILL -f 'unboxed-[a]gent'");
      expect((await agents.run(machine.id, ['echo', 'again'], options)).stdout).toBe('again\n');
      expect((await sh("pgrep -fc 'unboxed-[a]gent'")).stdout.trim()).not.toBe('0');
    } finally {
      agents.release(machine.id);
    }
    // Released, its processes end: none is left behind in the machine.
    await expect.poll(async () => (await sh("pgrep -f 'unboxed-[a]gent' || true")).stdout.trim(), { timeout: 20_000 }).toBe('');
  });

  it(`${name}: an assigned machine is found by its learner's name`, async () => {
    const assigned = await driver.assign(machine.id, learner);
    expect(assigned?.learner).toBe(learner);
    machine = assigned!;
    created.push(machine.id);
    expect(await driver.find(learner)).toMatchObject({ id: machine.id, learner, state: 'running' });
    expect(await driver.find('conformance-nobody')).toBeUndefined();
  });

  it(`${name}: a terminal's shell outlives its attachment`, async () => {
    const first = await terminal(driver, machine.id);
    first.shell.write('UNBOXED_MARK=kept; echo $((6*7))\r');
    await first.until('42');
    first.shell.close();

    const second = await terminal(driver, machine.id);
    second.shell.write('echo "mark=$UNBOXED_MARK"\r');
    await second.until('mark=kept');
    second.shell.close();
  });

  it(`${name}: stop keeps the disk, start brings the machine back`, async () => {
    expect(await sh('echo before-stop >/root/conformance-mark && sync')).toMatchObject({ exitCode: 0 });
    await driver.stop(machine.id);
    expect(await driver.inspect(machine.id)).toMatchObject({ state: 'stopped' });
    expect(await driver.find(learner)).toMatchObject({ id: machine.id, state: 'stopped' });

    const started = await driver.start(machine.id);
    expect(started).toMatchObject({ id: machine.id, learner, state: 'running' });
    const after = await sh('cat /root/conformance-mark; docker info -f {{.Driver}} && docker ps -aq --filter name=probe | wc -l');
    expect(after).toMatchObject({ exitCode: 0, stdout: 'before-stop\noverlay2\n1\n' });
    // A new boot: a new shell, which works.
    const shell = await terminal(driver, machine.id);
    shell.shell.write('echo $((6*7))\r');
    await shell.until('42');
    shell.shell.close();
  });

  it(`${name}: a new machine made for the learner is clean and their only one, and destroy leaves nothing`, async () => {
    const old = machine;
    await driver.destroy(old.id);
    expect(await driver.find(learner)).toBeUndefined();
    // A new machine made for the learner (as a reset or a start past the pool makes it).
    machine = await driver.create(limits, learner);
    created.push(machine.id);
    expect(machine).toMatchObject({ learner, state: 'running' });
    expect(await driver.find(learner)).toMatchObject({ id: machine.id, state: 'running' });
    const clean = await sh('docker ps -aq && test ! -e /root/conformance-mark');
    expect(clean).toMatchObject({ exitCode: 0, stdout: '' });
    // A learner never has two machines.
    await expect(driver.create(limits, learner)).rejects.toThrow();
    expect((await driver.list()).filter((m) => m.learner === learner).map((m) => m.id)).toEqual([machine.id]);

    await driver.destroy(machine.id);
    expect((await driver.list()).map((m) => m.id)).not.toContain(machine.id);
    expect(await driver.find(learner)).toBeUndefined();
    await expect(driver.inspect(machine.id)).rejects.toThrow(/no learner machine/);
    expect(await leftovers(created)).toEqual([]);
  });
}

/** A shell attachment and everything it printed so far. */
async function terminal(driver: SandboxDriver, id: string) {
  const shell = await driver.openShell(id, 'conformance', { cols: 120, rows: 30 });
  let output = '';
  shell.onData((data) => (output += data));
  const until = async (text: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (Date.now() > deadline) throw new Error(`the shell did not print '${text}' in ${timeoutMs / 1000} s; it printed: ${JSON.stringify(output.slice(-500))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { shell, until };
}
