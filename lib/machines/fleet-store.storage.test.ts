import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { FleetStore } from './fleet-store.ts';

let test: TestDatabase;
let store: FleetStore;

beforeEach(async () => {
  test = await openTestDatabase();
  store = new FleetStore(test.db);
});

afterEach(async () => {
  await test.remove();
});

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 23, 0, seconds));
const TTL = 90_000;

it('one server holds the keeper lease; the other gets it only once the holder released it or let it expire', async () => {
  expect(await store.keep('a', at(0), TTL)).toBe(true);
  expect(await store.keep('b', at(1), TTL)).toBe(false);
  // Renewed by its holder: still not b's just before the renewed expiry.
  expect(await store.keep('a', at(60), TTL)).toBe(true);
  expect(await store.keep('b', at(149), TTL)).toBe(false);
  expect(await store.keeper(at(149))).toBe('a');
  // a stopped renewing (it died): b takes over once the lease expired, and a cannot take it back.
  expect(await store.keep('b', at(151), TTL)).toBe(true);
  expect(await store.keep('a', at(152), TTL)).toBe(false);
  expect(await store.keeper(at(152))).toBe('b');
  // A clean shutdown gives it up at once; releasing a lease one does not hold changes nothing.
  await store.release('a');
  expect(await store.keeper(at(153))).toBe('b');
  await store.release('b');
  expect(await store.keeper(at(153))).toBeUndefined();
  expect(await store.keep('a', at(154), TTL)).toBe(true);
});

it('servers asking at the same moment: exactly one becomes the keeper', async () => {
  const servers = ['a', 'b', 'c', 'd', 'e', 'f'];
  const won = await Promise.all(servers.map((s) => store.keep(s, at(0), TTL)));
  expect(won.filter(Boolean)).toHaveLength(1);
  expect(await store.keeper(at(0))).toBe(servers[won.indexOf(true)]);
});

it("shares learners' last activity (never moving it back) and arrivals, and forgets learners long gone", async () => {
  await store.recordArrival('ann', at(0));
  await store.recordActivity('ann', at(30));
  // Another server's write that arrives late does not move ann's activity back.
  await store.recordActivity('ann', at(10));
  await store.recordActivity('bob', at(20));
  expect(await store.lastActivity(['ann', 'bob', 'cy'])).toEqual(
    new Map([
      ['ann', at(30).getTime()],
      ['bob', at(20).getTime()],
    ]),
  );
  expect(await store.lastActivity([])).toEqual(new Map());
  // bob was active, never arrived without a machine: only ann counts, and a later arrival of hers replaces the first.
  expect(await store.arrivalsSince(at(0))).toEqual([at(0).getTime()]);
  await store.recordArrival('ann', at(40));
  expect(await store.arrivalsSince(at(1))).toEqual([at(40).getTime()]);
  await store.forgetBefore(at(25));
  expect([...(await store.lastActivity(['ann', 'bob'])).keys()]).toEqual(['ann']);
});
