import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ExecOptions, ExecResult, MachineProcess, SandboxDriver } from './driver.ts';

/** Output kept per stream, as `exec` keeps: a command printing more is cut (from the front). */
const MAX_OUTPUT = 1024 * 1024;

/**
 * The agent: one bash per machine that runs commands sent on its stdin, each in the
 * background under `timeout`, and answers on stdout with a frame per command: a header
 * "<frame> <id> <exit code> <stdout bytes> <stderr bytes>", then both outputs. The first
 * line it reads is the frame nonce, so no command's output can fake a header. A request:
 * "<id> <timeout s> <argc> <stdin bytes>", then per argument its length and bytes, then
 * stdin. Lengths are bytes: the agent's own bash runs in the C locale (set without export,
 * so commands get the environment an exec gets). Per command it starts only the command
 * and its `timeout`; a job tells the writer ($2, below) on a FIFO that it is done.
 * Arguments: MAX_OUTPUT WRITER.
 */
const AGENT = [
  'lc_all=${LC_ALL-} had_lc_all=${LC_ALL+x}',
  'LC_ALL=C',
  'IFS= read -r frame || exit 125',
  'dir=$(/usr/bin/mkdir -p -m 0700 /run/unboxed && /usr/bin/mktemp -d /run/unboxed/agent.XXXXXXXX) || exit 125',
  '/usr/bin/mkfifo -m 0600 "$dir/done" || exit 125',
  'exec 7<>"$dir/done"',
  // Killed with the agent (by the kernel), so an agent killed alone ends its channel.
  '/usr/bin/setpriv --pdeathsig KILL /usr/bin/bash --noprofile --norc -c "$2" "$0" "$frame" "$dir" "$1" </dev/null &',
  'writer=$!',
  'trap \'kill "$writer" 2>/dev/null; /usr/bin/rm -rf "$dir"\' EXIT',
  'while IFS=" " read -r id seconds argc length; do',
  '  args=()',
  '  for ((i = 0; i < argc; i++)); do IFS= read -r n || exit 125; IFS= read -r -N "$n" arg || [ "$n" = 0 ] || exit 125; args+=("$arg"); done',
  '  IFS= read -r -N "$length" input || [ "$length" = 0 ] || exit 125',
  '  job=$dir/$id',
  '  printf "%s" "$input" >"$job.in"',
  '  {',
  '    if [ -n "$had_lc_all" ]; then LC_ALL=$lc_all; else unset LC_ALL; fi',
  '    /usr/bin/timeout --kill-after=2 "$seconds" "${args[@]}" <"$job.in" >"$job.out" 2>"$job.err" 7>&-',
  '    printf "%s %s\\n" "$id" "$?" >&7',
  '  } </dev/null &',
  'done',
].join('\n');

/**
 * The agent's writer: one answer at a time on stdout, each output read with bash's own
 * `read` (no process per answer; NUL bytes are dropped; each output is kept up to MAX
 * bytes). Arguments: FRAME DIR MAX; the done FIFO on fd 7.
 */
const WRITER = [
  'LC_ALL=C',
  'frame=$1 dir=$2 max=$3 finished=()',
  'while IFS=" " read -r id rc <&7; do',
  '  IFS= read -r -N "$max" out <"$dir/$id.out"',
  '  IFS= read -r -N "$max" err <"$dir/$id.err"',
  '  printf "%s %s %s %s %s\\n%s%s" "$frame" "$id" "$rc" "${#out}" "${#err}" "$out" "$err"',
  '  finished+=("$dir/$id".{in,out,err})',
  '  if ((${#finished[@]} >= 192)); then /usr/bin/rm -f "${finished[@]}"; finished=(); fi',
  'done',
].join('\n');

/** The name its bash runs under: what the What changed snapshot knows its processes by. */
export const AGENT_NAME = 'unboxed-agent';

/** The agent ended (killed in the machine, the machine stopped) before answering. */
export class AgentLostError extends Error {
  override readonly name = 'AgentLostError';
}

interface Pending {
  readonly resolve: (result: ExecResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Runs commands in one machine through its agent: an exec costs a process in the machine
 * (a fork), not an engine round trip (docker: ~45 ms of exec create, start, inspect).
 * Results are an exec's: exit code, both outputs, timedOut. The agent is root in a
 * machine whose root is the learner's, as any exec is; it may be killed or stopped there,
 * and then its commands fail (AgentLostError) or time out, and the agent is closed.
 */
export class MachineAgent {
  private readonly frame = randomBytes(16).toString('hex');
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffer: Buffer = Buffer.alloc(0);
  private lost = false;

  private constructor(private readonly process: MachineProcess) {
    process.onStdout((chunk) => this.receive(chunk));
    process.onExit(() => this.lose('the machine agent ended'));
    process.write(`${this.frame}\n`);
  }

  static async start(driver: Pick<SandboxDriver, 'spawn'>, id: string): Promise<MachineAgent> {
    // The machine's own environment (an exec's), with no profile of the learner's.
    return new MachineAgent(await driver.spawn(id, ['/usr/bin/bash', '--noprofile', '--norc', '-c', AGENT, AGENT_NAME, String(MAX_OUTPUT), WRITER]));
  }

  get alive(): boolean {
    return !this.lost;
  }

  run(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    if (this.lost) return Promise.reject(new AgentLostError('the machine agent ended'));
    const id = this.nextId++;
    const stdin = options.stdin ?? '';
    const seconds = Math.ceil(options.timeoutMs / 1000);
    const request = [`${id} ${seconds} ${argv.length} ${Buffer.byteLength(stdin)}\n`, ...argv.map((arg) => `${Buffer.byteLength(arg)}\n${arg}`), stdin].join('');
    return new Promise<ExecResult>((resolve, reject) => {
      // The agent's `timeout` ends the command first; this is for an agent that stopped answering.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ exitCode: 124, stdout: '', stderr: '', timedOut: true });
        this.close();
      }, options.timeoutMs + 5000);
      this.pending.set(id, { resolve, reject, timer });
      this.process.write(request);
    });
  }

  close(): void {
    this.process.close();
    this.lose('the machine agent was closed');
  }

  private lose(why: string): void {
    this.lost = true;
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new AgentLostError(why));
    }
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const newline = this.buffer.indexOf(10);
      if (newline < 0) return;
      const [frame, id, exitCode, outBytes, errBytes] = this.buffer.subarray(0, newline).toString('latin1').split(' ').map((field, i) => (i === 0 ? field : Number(field)));
      if (frame !== this.frame || ![id, exitCode, outBytes, errBytes].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
        // Not the agent speaking (or a broken frame): nothing after it can be trusted.
        this.close();
        return;
      }
      const end = newline + 1 + (outBytes as number) + (errBytes as number);
      if (this.buffer.length < end) return;
      const out = this.buffer.subarray(newline + 1, newline + 1 + (outBytes as number));
      const err = this.buffer.subarray(newline + 1 + (outBytes as number), end);
      this.buffer = this.buffer.subarray(end);
      const waiting = this.pending.get(id as number);
      if (!waiting) continue;
      this.pending.delete(id as number);
      clearTimeout(waiting.timer);
      waiting.resolve({ exitCode: exitCode as number, stdout: text(out), stderr: text(err), timedOut: exitCode === 124 });
    }
  }
}

function text(bytes: Buffer): string {
  const decoder = new StringDecoder('utf8');
  return decoder.write(bytes) + decoder.end();
}

/**
 * One agent per running machine, started on its first command. A command whose agent was
 * lost (killed in the machine) runs once more on a new one: only for commands that read
 * state (checks, snapshots), which may then run twice. Where no agent answers as one
 * (its bash replaced by the learner's root), the engine's exec runs the command, and
 * what it prints is judged as any exec's output is (a check's by its nonce).
 */
export class MachineAgents {
  private readonly agents = new Map<string, Promise<MachineAgent>>();

  constructor(private readonly driver: Pick<SandboxDriver, 'spawn' | 'exec'>) {}

  async run(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await (await this.agentOf(id)).run(argv, options);
      } catch (error) {
        if (!(error instanceof AgentLostError)) throw error;
      }
    }
    return this.driver.exec(id, argv, options);
  }

  /** The machine is going away (or stopping): its agent goes with it. */
  release(id: string): void {
    const agent = this.agents.get(id);
    this.agents.delete(id);
    void agent?.then((a) => a.close(), () => undefined);
  }

  private async agentOf(id: string): Promise<MachineAgent> {
    const known = this.agents.get(id);
    if (known) {
      const agent = await known.catch(() => undefined);
      if (agent?.alive) return agent;
      if (this.agents.get(id) === known) this.agents.delete(id);
    }
    let starting = this.agents.get(id);
    if (!starting) {
      starting = MachineAgent.start(this.driver, id);
      this.agents.set(id, starting);
    }
    return starting;
  }
}
