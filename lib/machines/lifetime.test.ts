import { expect, it } from 'vitest';
import { duration, lifetimeLine } from './lifetime.ts';
import { MachineView } from './view.ts';

const utc = { locale: 'en-GB', timeZone: 'UTC' };
const now = new Date('2025-12-01T10:32:10Z');
const running = MachineView.parse({ state: 'running', driver: 'docker', expiresAt: '2025-12-01T14:32:00.000Z', idleSeconds: 1800 });

it('rounds durations to the minute', () => {
  expect(duration(20)).toBe('less than a minute');
  expect(duration(1800)).toBe('30 min');
  expect(duration(4 * 3600 - 10)).toBe('4 h');
  expect(duration(4500)).toBe('1 h 15 min');
  expect(duration(-5)).toBe('less than a minute');
});

it('tells when the machine is removed and what being away does to it', () => {
  expect(lifetimeLine(running, now, utc)).toBe('Your machine is kept until 14:32 (4 h). Unused for 30 min, it sleeps and wakes with your files.');
});

it('names the day when the machine outlives today', () => {
  const line = lifetimeLine({ ...running, expiresAt: '2025-12-02T09:05:00.000Z' }, now, utc);
  expect(line).toBe('Your machine is kept until Tue 2 Dec, 9:05 (22 h 33 min). Unused for 30 min, it sleeps and wakes with your files.');
});

it('follows the locale', () => {
  expect(lifetimeLine(running, now, { locale: 'en-US', timeZone: 'UTC' })).toMatch(/^Your machine is kept until 2:32\sPM \(4 h\)\./);
});

it('says nothing without a machine, and only the lifetime without an idle limit', () => {
  expect(lifetimeLine({ state: 'none' }, now, utc)).toBeUndefined();
  expect(lifetimeLine({ ...running, idleSeconds: undefined }, now, utc)).toBe('Your machine is kept until 14:32 (4 h).');
});
