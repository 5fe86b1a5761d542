import type { MachineView } from './view.ts';

/** Where a test pins the format; the browser leaves both unset and gets its own locale and zone. */
export interface LifetimeFormat {
  readonly locale?: string;
  readonly timeZone?: string;
}

/** "less than a minute", "30 min", "4 h", "1 h 15 min", rounded to the minute. */
export function duration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The time of day, with the date in front when it is not today's. */
function clock(at: Date, now: Date, { locale, timeZone }: LifetimeFormat): string {
  const sameDay = at.toLocaleDateString(locale, { timeZone }) === now.toLocaleDateString(locale, { timeZone });
  return sameDay
    ? at.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit', timeZone })
    : at.toLocaleString(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit', timeZone });
}

/**
 * One calm line telling the learner how long their machine is kept and what being away
 * does to it; undefined when there is no machine to speak of.
 */
export function lifetimeLine(view: MachineView, now: Date, format: LifetimeFormat = {}): string | undefined {
  if (view.state === 'none' || view.expiresAt === undefined) return undefined;
  if (view.state === 'lost') return 'Your machine was lost with the node it ran on: opening a terminal gives you a fresh one, and your results are kept.';
  const expires = new Date(view.expiresAt);
  const kept = `Your machine is kept until ${clock(expires, now, format)} (${duration((expires.getTime() - now.getTime()) / 1000)}).`;
  return view.idleSeconds === undefined ? kept : `${kept} Unused for ${duration(view.idleSeconds)}, it sleeps and wakes with your files.`;
}

/** One line of the machine panel: what it is about, and what to know. */
export interface MachineFact {
  readonly term: string;
  readonly detail: string;
}

function gib(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

/**
 * The machine panel's facts: the time left before its lifetime ends and before it sleeps
 * unused, its limits, what happens at the end, and its last reset. None without a machine.
 */
export function machineFacts(view: MachineView, now: Date, format: LifetimeFormat = {}): MachineFact[] {
  if (view.state === 'none') return [];
  const facts: MachineFact[] = [];
  if (view.state === 'lost') {
    facts.push({ term: 'Lost', detail: 'the node it ran on went down. Opening a terminal gives you a fresh machine on another node; your recorded results are kept, files on the old machine are gone.' });
    return facts;
  }
  if (view.expiresAt !== undefined) {
    const expires = new Date(view.expiresAt);
    facts.push({ term: 'Time left', detail: `${duration((expires.getTime() - now.getTime()) / 1000)}, until ${clock(expires, now, format)}` });
  }
  if (view.idleSeconds !== undefined) {
    const idleAt = view.idleAt === undefined ? undefined : new Date(view.idleAt);
    const when = idleAt ? ` in ${duration((idleAt.getTime() - now.getTime()) / 1000)} (${clock(idleAt, now, format)})` : ` after ${duration(view.idleSeconds)}`;
    facts.push({
      term: 'If unused',
      detail: `it sleeps${when} unless you use it: its memory is freed, its files are kept, and it wakes when you open a terminal. Each use starts the ${duration(view.idleSeconds)} again.`,
    });
  }
  if (view.limits) {
    const { cpus, memoryMiB, diskMiB, pids } = view.limits;
    facts.push({ term: 'Limits', detail: `${cpus} CPU${cpus === 1 ? '' : 's'}, ${gib(memoryMiB)} of memory, ${gib(diskMiB)} of disk, ${pids} processes` });
  }
  facts.push({
    term: 'At the end',
    detail: 'the machine and everything on it are removed; your recorded results are kept. Opening a terminal then gives you a fresh machine.',
  });
  if (view.lastReset) {
    const at = new Date(view.lastReset.at);
    const who = view.lastReset.instructor === undefined ? 'by you' : `by your instructor ${view.lastReset.instructor}`;
    facts.push({ term: 'Last reset', detail: `${clock(at, now, format)}, ${who}` });
  }
  return facts;
}
