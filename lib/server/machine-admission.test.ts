import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './client-address.ts';
import { AnonymousStarts, SIGN_IN_FOR_A_MACHINE } from './machine-admission.ts';

describe('anonymous machine starts', () => {
  const withMachine = new Set(['has-machine']);
  const accounts = new Set(['signed-in']);
  const starts = (signInRequired = false) =>
    new AnonymousStarts(
      { signInRequired, perAddress: 3, perMinute: 5 },
      {
        stateOf: async (learner) => {
          if (learner === 'fleet-down') throw new Error('no swarm manager answers');
          return withMachine.has(learner) ? 'stopped' : undefined;
        },
      },
      { byLearner: async (learner) => (accounts.has(learner) ? ({ id: 'a' } as never) : undefined) },
      clientAddressOf([]),
    );

  it('lets one address start only so many machines, then says how long to wait', async () => {
    const limiter = starts();
    for (let i = 0; i < 3; i++) expect(await limiter.admit(`visitor-${i}`, '10.0.0.1')).toBe(0);
    const wait = await limiter.admit('visitor-3', '10.0.0.1');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    expect(await limiter.admit('visitor-4', '10.0.0.2')).toBe(0);
  });

  it('bounds all anonymous visitors together, whatever their addresses', async () => {
    const limiter = starts();
    for (let i = 0; i < 5; i++) expect(await limiter.admit(`visitor-${i}`, `10.0.1.${i}`)).toBe(0);
    expect(await limiter.admit('visitor-5', '10.0.1.99')).toBeGreaterThan(0);
  });

  it('never counts a learner who already has a machine, who is signed in, or whose machine the fleet cannot look up now', async () => {
    const limiter = starts();
    for (let i = 0; i < 10; i++) {
      expect(await limiter.admit('has-machine', '10.0.2.1')).toBe(0);
      expect(await limiter.admit('signed-in', '10.0.2.1')).toBe(0);
      expect(await limiter.admit('fleet-down', '10.0.2.1')).toBe(0);
    }
    expect(await limiter.admit('visitor', '10.0.2.1')).toBe(0);
  });

  it('turns away everyone not signed in where machines are for signed-in learners only, and counts none of them', async () => {
    const limiter = starts(true);
    expect(await limiter.refusal('visitor')).toBe(SIGN_IN_FOR_A_MACHINE);
    expect(await limiter.refusal('has-machine')).toBe(SIGN_IN_FOR_A_MACHINE);
    expect(await limiter.refusal('signed-in')).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(await limiter.admit(`visitor-${i}`, '10.0.3.1')).toBe(0);
    expect(await starts(false).refusal('visitor')).toBeUndefined();
  });
});
