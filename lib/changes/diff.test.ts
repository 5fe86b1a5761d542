import { describe, expect, it } from 'vitest';
import { parseSnapshotOutput } from './diff.ts';
import { changeCount } from './schema.ts';

/** Records as lib/changes/snapshot.sh prints them after `docker run -d --name web busybox sleep 3600` (shortened). */
const ID = 'f977227546113b3b5c318ca0f0c8b2c3fcba90191aa8c29de450bb8a7cb7a02f';
const afterRun = [
  `+C\tmemory\t/docker/${ID}`,
  `+C\tpids\t/docker/${ID}`,
  `+L\tmemory\t/docker/${ID}\tmemory\t67108864`,
  `+L\tpids\t/docker/${ID}\tpids\tmax`,
  `+L\tcpu,cpuacct\t/docker/${ID}\tcpu\t50000`,
  `-L\tpids\t/docker\tpids\tmax`,
  `+L\tpids\t/docker\tpids\t100`,
  `+D\t${ID}\tweb`,
  `+F\t/run/docker/runtime-runc/moby/${ID}\td\t711\t\t\t`,
  `+F\t/run/docker/runtime-runc/moby/${ID}/state.json\tf\t600\t30082\t1796140229.80\t`,
  `-F\t/var/lib/docker/network/files/local-kv.db\tf\t644\t65536\t1796140225.47\t`,
  `+F\t/var/lib/docker/network/files/local-kv.db\tf\t644\t65536\t1796140229.79\t`,
  `+I\tvethfcd8aea\tdocker0`,
  `+M\t/var/lib/docker/overlay2/6ea8/merged\toverlay\toverlay\trw,lowerdir=/var/lib/docker/overlay2/l/JYY:/var/lib/docker/overlay2/l/ABC,upperdir=/var/lib/docker/overlay2/6ea8/diff`,
  `+N\tnet:[4026532268]`,
  `+N\tpid:[4026532267]`,
  `+P\t417\t2363475\t1\tcontainerd-shim\t/usr/bin/containerd-shim-runc-v2 -namespace moby -id ${ID} -address /run/containerd/containerd.sock`,
  `+P\t437\t2363485\t417\tsleep\tsleep 3600`,
  `-P\t300\t2363000\t1\tbash\tbash -c true`,
  `T\t1\t0\tsystemd`,
  `T\t417\t1\tcontainerd-shim`,
  `T\t437\t417\tsleep`,
  `K\tnet:[4026532268]\t437`,
  `K\tpid:[4026532267]\t437`,
  `D\t${ID}\tweb`,
].join('\n');

describe('parseSnapshotOutput', () => {
  it('says baseline when the machine had nothing to compare with', () => {
    expect(parseSnapshotOutput('baseline\n')).toMatchObject({ baseline: true });
  });

  it('groups what docker run changed by kind, with parent chains, limits and the container by name', () => {
    const { baseline, changes } = parseSnapshotOutput(afterRun);
    expect(baseline).toBe(false);
    expect(changes.containers.items).toEqual([{ change: 'created', id: ID, name: 'web' }]);
    expect(changes.processes.items).toEqual([
      expect.objectContaining({ change: 'created', pid: 417, command: 'containerd-shim', parents: ['systemd'], container: 'web' }),
      expect.objectContaining({ change: 'created', pid: 437, commandLine: 'sleep 3600', parents: ['systemd', 'containerd-shim'] }),
      expect.objectContaining({ change: 'removed', pid: 300, command: 'bash', parents: ['systemd'] }),
    ]);
    expect(changes.cgroups.items).toEqual([
      { change: 'created', path: `/docker/${ID}`, hierarchies: ['memory', 'pids'], limits: ['memory 64 MiB', 'cpu 0.5 CPU'], container: 'web' },
      { change: 'changed', path: '/docker', hierarchies: [], limits: ['pids max → 100'], container: undefined },
    ]);
    expect(changes.files.items.map((f) => [f.change, f.path, f.entries, f.details, f.container])).toEqual([
      ['created', `/run/docker/runtime-runc/moby/${ID}`, 1, [], 'web'],
      ['changed', '/var/lib/docker/network/files/local-kv.db', 0, ['modified'], undefined],
    ]);
    expect(changes.mounts.items).toEqual([expect.objectContaining({ change: 'created', mountPoint: '/var/lib/docker/overlay2/6ea8/merged', fsType: 'overlay' })]);
    expect(changes.namespaces.items).toEqual([
      { change: 'created', namespace: 'net:[4026532268]', type: 'net', members: ['437 sleep'] },
      { change: 'created', namespace: 'pid:[4026532267]', type: 'pid', members: ['437 sleep'] },
    ]);
    expect(changes.interfaces.items).toEqual([{ change: 'created', name: 'vethfcd8aea', master: 'docker0' }]);
    expect(changeCount(changes)).toBe(12);
  });

  it('names a removed container from its own record, and a process that ran exec as changed', () => {
    const { changes } = parseSnapshotOutput(
      [`-D\t${ID}\told-web`, `-F\t/var/lib/docker/containers/${ID}\td\t710\t\t\t`, '-P\t9\t100\t1\tbash\tbash', '+P\t9\t100\t1\tsleep\tsleep 5', 'T\t9\t1\tsleep', 'T\t1\t0\tsystemd'].join('\n'),
    );
    expect(changes.files.items[0]).toMatchObject({ change: 'removed', container: 'old-web' });
    expect(changes.processes.items).toEqual([expect.objectContaining({ change: 'changed', pid: 9, command: 'sleep', before: 'bash' })]);
  });

  it('keeps what the machine left out of a huge difference as a count', () => {
    expect(parseSnapshotOutput('+I\teth9\t\ntruncated\t12000\n').changes.truncated).toBe(12000);
  });
});
