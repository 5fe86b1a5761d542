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
  const expires = new Date(view.expiresAt);
  const kept = `Your machine is kept until ${clock(expires, now, format)} (${duration((expires.getTime() - now.getTime()) / 1000)}).`;
  return view.idleSeconds === undefined ? kept : `${kept} Unused for ${duration(view.idleSeconds)}, it sleeps and wakes with your files.`;
}
