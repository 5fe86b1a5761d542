import { expect, it } from 'vitest';
import { duration, lifetimeLine, machineFacts } from './lifetime.ts';
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

it('lists the time left, when it sleeps, its limits, what happens at the end and who reset it last', () => {
  const view = MachineView.parse({
    ...running,
    idleAt: '2025-12-01T10:58:10.000Z',
    limits: { memoryMiB: 2048, cpus: 1, pids: 1024, diskMiB: 10_240 },
    lastReset: { at: '2025-12-01T10:20:00.000Z', instructor: 'Grace Hopper' },
  });
  expect(machineFacts(view, now, utc)).toEqual([
    { term: 'Time left', detail: '4 h, until 14:32' },
    {
      term: 'If unused',
      detail: 'it sleeps in 26 min (10:58) unless you use it: its memory is freed, its files are kept, and it wakes when you open a terminal. Each use starts the 30 min again.',
    },
    { term: 'Limits', detail: '1 CPU, 2 GiB of memory, 10 GiB of disk, 1024 processes' },
    { term: 'At the end', detail: 'the machine and everything on it are removed; your recorded results are kept. Opening a terminal then gives you a fresh machine.' },
    { term: 'Last reset', detail: '10:20, by your instructor Grace Hopper' },
  ]);
});

it('says when it sleeps without knowing the last use, and who reset it when the learner did', () => {
  const facts = machineFacts(MachineView.parse({ ...running, lastReset: { at: '2025-12-01T10:20:00.000Z' } }), now, utc);
  expect(facts.find((f) => f.term === 'If unused')?.detail).toMatch(/^it sleeps after 30 min unless you use it/);
  expect(facts.at(-1)).toEqual({ term: 'Last reset', detail: '10:20, by you' });
  expect(machineFacts({ state: 'none' }, now, utc)).toEqual([]);
});

it('says a machine lost with its node is gone for good, and what the next terminal does', () => {
  const lost = MachineView.parse({ ...running, state: 'lost' });
  expect(lifetimeLine(lost, now, utc)).toMatch(/^Your machine was lost with the node it ran on: opening a terminal gives you a fresh one/);
  expect(machineFacts(lost, now, utc)).toEqual([{ term: 'Lost', detail: expect.stringMatching(/^the node it ran on went down\. Opening a terminal gives you a fresh machine/) }]);
});
