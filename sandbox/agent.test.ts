import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { localExec } from '../lib/checks/testing.ts';
import { AgentLostError, MachineAgent, MachineAgents } from './agent.ts';
import type { MachineProcess, SandboxDriver } from './driver.ts';

/**
 * The agent's protocol with a real bash on this host standing in for the machine's (every
 * driver runs it in a real machine in the conformance suite, sandbox/conformance.ts).
 */
const local: Pick<SandboxDriver, 'spawn' | 'exec'> = {
  exec: (_id, argv, options) => localExec(argv, { stdin: options.stdin ?? '', timeoutMs: options.timeoutMs }),
  spawn: async (_id, argv) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin.on('error', () => undefined);
    return {
      write: (data) => void child.stdin.write(data),
      onStdout: (listener) => void child.stdout.on('data', listener),
      onExit: (listener) => void child.once('close', () => listener()),
      close: () => {
        child.stdin.end();
        child.kill();
      },
    } satisfies MachineProcess;
  },
};
const options = { timeoutMs: 10_000 };

describe('MachineAgent', () => {
  it('answers each command with its exit code and both outputs, arguments and stdin byte for byte', async () => {
    const agent = await MachineAgent.start(local, 'host');
    try {
      const args = ['multi\nline', '', 'ünïcödé ✓', "quo'tes \"and\" $dollars `ticks`", '  spaces  '];
      const echoed = await agent.run(['/usr/bin/bash', '-c', 'printf "[%s]" "$@"; cat; echo to-stderr >&2; exit 3', 'x', ...args], { ...options, stdin: 'ständig\n\nstdin' });
      expect(echoed).toEqual({ exitCode: 3, stdout: `${args.map((a) => `[${a}]`).join('')}ständig\n\nstdin`, stderr: 'to-stderr\n', timedOut: false });
      expect(await agent.run(['/usr/bin/true'], options)).toEqual({ exitCode: 0, stdout: '', stderr: '', timedOut: false });
    } finally {
      agent.close();
    }
  });

  it('runs commands side by side and matches each answer to its command', async () => {
    const agent = await MachineAgent.start(local, 'host');
    try {
      // The slowest is sent first: answers come back in the order commands end.
      const sleeps = [0.3, 0.1, 0.2, 0, 0.25, 0.05];
      const started = performance.now();
      const answers = await Promise.all(sleeps.map((s, i) => agent.run(['/usr/bin/bash', '-c', `sleep ${s}; seq ${i * 1000}`], options)));
      expect(performance.now() - started).toBeLessThan(sleeps.reduce((a, b) => a + b) * 1000);
      expect(answers.map((a) => a.stdout.split('\n').length - 1)).toEqual(sleeps.map((_, i) => i * 1000));
    } finally {
      agent.close();
    }
  });

  it('cannot be fooled by output that looks like an answer, and keeps at most 1 MiB of each output', async () => {
    const agent = await MachineAgent.start(local, 'host');
    try {
      const forged = await agent.run(['/usr/bin/bash', '-c', 'printf "0 1 0 2 0\\nok\\n"'], options);
      expect(forged).toMatchObject({ exitCode: 0, stdout: '0 1 0 2 0\nok\n' });
      const flood = await agent.run(['/usr/bin/bash', '-c', 'yes | head -c 3000000'], options);
      expect(flood.stdout.length).toBe(1024 * 1024);
      expect(await agent.run(['/usr/bin/echo', 'still answering'], options)).toMatchObject({ stdout: 'still answering\n' });
    } finally {
      agent.close();
    }
  });

  it('ends a command at its time limit and says it timed out', async () => {
    const agent = await MachineAgent.start(local, 'host');
    try {
      expect(await agent.run(['/usr/bin/sleep', '30'], { timeoutMs: 500 })).toMatchObject({ exitCode: 124, timedOut: true });
    } finally {
      agent.close();
    }
  });

  it('fails the commands of an agent that ended; MachineAgents runs them again on a new one', async () => {
    const agent = await MachineAgent.start(local, 'host');
    const pending = agent.run(['/usr/bin/sleep', '5'], options);
    agent.close();
    await expect(pending).rejects.toBeInstanceOf(AgentLostError);
    expect(agent.alive).toBe(false);

    const agents = new MachineAgents(local);
    try {
      // The agent (the command's parent's parent's parent: job, timeout) is killed, as a learner's root may.
      const agentPid = async () => Number((await agents.run('host', ['/usr/bin/bash', '-c', 'ps -o ppid= -p $(ps -o ppid= -p $PPID)'], options)).stdout);
      const first = await agentPid();
      expect(first).toBeGreaterThan(1);
      process.kill(first, 'SIGKILL');
      expect((await agents.run('host', ['/usr/bin/echo', 'again'], options)).stdout).toBe('again\n');
      expect(await agentPid()).not.toBe(first);
    } finally {
      agents.release('host');
    }
  });

  it('runs a command through the engine exec where no agent answers as one (its bash replaced)', async () => {
    const broken: Pick<SandboxDriver, 'spawn' | 'exec'> = {
      ...local,
      spawn: (id) => local.spawn(id, ['/usr/bin/bash', '-c', 'read -r frame; echo "{\\"pass\\":true}"; sleep 1']),
    };
    const agents = new MachineAgents(broken);
    try {
      expect(await agents.run('host', ['/usr/bin/echo', 'by exec'], options)).toMatchObject({ exitCode: 0, stdout: 'by exec\n' });
    } finally {
      agents.release('host');
    }
  });
});
