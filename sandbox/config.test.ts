import { expect, it } from 'vitest';
import { anonymousAccess, sandboxConfig } from './config.ts';

it('gives container machines to visitors who have not signed in only on loopback, unless the operator allows it', () => {
  const setting = sandboxConfig({}).anonymousMachines;
  expect(setting).toBe('auto');
  for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', '::1']) expect(anonymousAccess(setting, host, 'container').allowed, host).toBe(true);
  for (const host of ['0.0.0.0', '::', '192.168.1.20', 'learn.example.org']) {
    const access = anonymousAccess(setting, host, 'container');
    expect(access.allowed, host).toBe(false);
    expect(access.why).toContain('UNBOXED_ANONYMOUS_MACHINES=allow');
  }
  // A VM per learner is a boundary: anyone, on any address.
  expect(anonymousAccess(setting, '0.0.0.0', 'vm').allowed).toBe(true);
  expect(anonymousAccess(sandboxConfig({ UNBOXED_ANONYMOUS_MACHINES: 'allow' }).anonymousMachines, '0.0.0.0', 'container').allowed).toBe(true);
  expect(anonymousAccess(sandboxConfig({ UNBOXED_ANONYMOUS_MACHINES: 'sign-in' }).anonymousMachines, '127.0.0.1', 'vm').allowed).toBe(false);
  expect(() => sandboxConfig({ UNBOXED_ANONYMOUS_MACHINES: 'everyone' })).toThrow(/UNBOXED_ANONYMOUS_MACHINES="everyone".*Fix/);
});

it('takes the swarm managers and their client TLS folder together, or neither', () => {
  expect(sandboxConfig({}).swarm).toBeUndefined();
  expect(sandboxConfig({ UNBOXED_SWARM_MANAGER: '10.0.0.5:2376', UNBOXED_SWARM_TLS_DIR: '/etc/unboxed/swarm' }).swarm).toEqual({ managers: ['10.0.0.5:2376'], tlsDir: '/etc/unboxed/swarm' });
  expect(sandboxConfig({ UNBOXED_SWARM_MANAGER: '10.0.0.5:2376,m2.example:2376', UNBOXED_SWARM_TLS_DIR: '/x' }).swarm?.managers).toEqual(['10.0.0.5:2376', 'm2.example:2376']);
  expect(() => sandboxConfig({ UNBOXED_SWARM_MANAGER: '10.0.0.5:2376,', UNBOXED_SWARM_TLS_DIR: '/x' })).toThrow(/or several comma-separated/);
  expect(() => sandboxConfig({ UNBOXED_SWARM_MANAGER: '10.0.0.5:2376' })).toThrow(/go together.*Fix/);
  expect(() => sandboxConfig({ UNBOXED_SWARM_MANAGER: 'tcp://10.0.0.5', UNBOXED_SWARM_TLS_DIR: '/x' })).toThrow(/UNBOXED_SWARM_MANAGER="tcp:\/\/10.0.0.5".*host:port/);
});
