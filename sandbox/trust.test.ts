import { describe, expect, it } from 'vitest';
import { sandboxConfig } from './config.ts';
import { chooseDriver, DriverUnavailableError } from './index.ts';

describe('trust modes', () => {
  it('defaults to trusted', () => {
    expect(sandboxConfig({}).trust).toBe('trusted');
  });

  it('refuses the docker driver in public mode, naming the fix', async () => {
    const choice = chooseDriver(sandboxConfig({ UNBOXED_TRUST: 'public', UNBOXED_SANDBOX_DRIVER: 'docker' }), '/nonexistent');
    await expect(choice).rejects.toBeInstanceOf(DriverUnavailableError);
    await expect(choice).rejects.toThrow(/UNBOXED_TRUST=public refuses the docker driver.*Fix: set UNBOXED_SANDBOX_DRIVER=qemu/);
  });

  it('rejects an unknown mode with the variable in the message', () => {
    expect(() => sandboxConfig({ UNBOXED_TRUST: 'open' })).toThrow(/UNBOXED_TRUST="open"/);
  });
});
