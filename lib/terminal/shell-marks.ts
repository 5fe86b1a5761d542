/**
 * The machine's shell marks each finished command in its output (shell integration, as
 * terminals such as VS Code read it): `OSC 633;E;<command line>` then `OSC 133;D;<exit
 * status>`. Both are invisible on screen. This reader finds them in the output stream,
 * whichever chunks they are split across.
 */
export interface FinishedCommand {
  /** The command line as the shell ran it; empty when the shell did not say (or the line was empty). */
  readonly command: string;
  readonly exitCode?: number;
}

/** OSC introducer, and the longest mark kept while waiting for its end (a long command line). */
const OSC = '\x1b]';
const MAX_MARK = 8192;
const MARK = /\x1b\](133|633);([^\x07\x1b]*)(?:\x07|\x1b\\)/g;

export class ShellMarks {
  private carry = '';
  private command = '';

  /** Reads one chunk of output; returns the commands it finished. */
  read(data: string): FinishedCommand[] {
    const text = this.carry + data;
    const finished: FinishedCommand[] = [];
    let consumed = 0;
    for (const match of text.matchAll(MARK)) {
      consumed = match.index + match[0].length;
      const [kind, ...params] = match[2]!.split(';');
      if (match[1] === '633' && kind === 'E') this.command = unescapeCommand(params.join(';'));
      if (match[1] === '133' && kind === 'D') {
        const status = params[0] === undefined || params[0] === '' ? undefined : Number(params[0]);
        finished.push({ command: this.command, ...(Number.isInteger(status) ? { exitCode: status } : {}) });
        this.command = '';
      }
    }
    // Keep an unfinished mark (or a lone ESC) for the next chunk, never unbounded.
    const open = text.lastIndexOf(OSC);
    const tail = open >= consumed ? text.slice(open) : text.endsWith('\x1b') ? '\x1b' : '';
    this.carry = tail.length <= MAX_MARK ? tail : '';
    return finished;
  }
}

/** VS Code's escaping of the command line in OSC 633;E: `\\` and `\xNN`. */
function unescapeCommand(text: string): string {
  return text.replace(/\\(\\|x([0-9a-fA-F]{2}))/g, (_, what: string, hex: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : what));
}
