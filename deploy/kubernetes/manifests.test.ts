import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseConfig } from '../../lib/config.ts';
import { Env } from '../../lib/env.ts';
import { authRoutes } from '../../lib/server/auth-routes.ts';
import { SiteHosts } from '../../lib/server/hosts.ts';
import { SandboxEnv } from '../../sandbox/config.ts';
import { MACHINE_CAPABILITIES } from '../../sandbox/docker/driver.ts';
import { drivers } from '../../sandbox/drivers.ts';
import { crdValidators, readManifests, schemaErrors, yamlFiles, type Manifest } from './schemas.ts';

// The manifests of deploy/kubernetes, checked without a cluster: every file parses,
// every object validates against its schema (Kubernetes' through kubernetes-models,
// agent-sandbox's through the CRDs in crds/), and our own rules hold.

const dir = path.dirname(new URL(import.meta.url).pathname);
const Kustomization = z.looseObject({ kind: z.literal('Kustomization'), resources: z.array(z.string()).min(1) });
const kustomization = Kustomization.parse(parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')));
const applied = yamlFiles(dir)
  .filter((file) => file !== 'kustomization.yaml')
  .map((file) => readManifests(dir, file));
const examples = yamlFiles(path.join(dir, 'examples')).map((file) => readManifests(path.join(dir, 'examples'), file));
const objects = [...applied, ...examples].flatMap(({ file, objects }) => objects.map((object) => ({ file, object })));
const crds = crdValidators(path.join(dir, 'crds'));

/** The parts of containers and pods our rules read; schemas are checked apart. */
const Container = z.looseObject({
  name: z.string(),
  resources: z.looseObject({ limits: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).optional(),
  securityContext: z
    .looseObject({
      runAsNonRoot: z.boolean().optional(),
      allowPrivilegeEscalation: z.boolean().optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
      capabilities: z.looseObject({ drop: z.array(z.string()).optional(), add: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
  env: z.array(z.looseObject({ name: z.string() })).optional(),
  envFrom: z.array(z.looseObject({ configMapRef: z.looseObject({ name: z.string() }).optional() })).optional(),
  readinessProbe: z.looseObject({ httpGet: z.looseObject({ path: z.string(), httpHeaders: z.array(z.object({ name: z.string(), value: z.string() })).optional() }).optional() }).optional(),
});
const PodSpec = z.looseObject({
  containers: z.array(Container).min(1),
  initContainers: z.array(Container).optional(),
  securityContext: z.looseObject({ runAsNonRoot: z.boolean().optional() }).optional(),
  serviceAccountName: z.string().optional(),
  automountServiceAccountToken: z.boolean().optional(),
  runtimeClassName: z.string().optional(),
  volumes: z.array(z.looseObject({ name: z.string() })).optional(),
});
type PodSpec = z.infer<typeof PodSpec>;
const Labels = z.record(z.string(), z.string());

function find(kind: string, name: string): Manifest {
  const found = objects.filter(({ object }) => object.kind === kind && object.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} named ${name} in deploy/kubernetes, found ${found.length}`);
  return found[0]!.object;
}

/** The pod spec inside a workload: a Deployment's or StatefulSet's template, a SandboxTemplate's podTemplate. */
function podSpecOf(object: Manifest): { labels: Record<string, string>; spec: PodSpec } {
  const Workload = z.looseObject({ spec: z.looseObject({ template: z.looseObject({ metadata: z.looseObject({ labels: Labels }), spec: PodSpec }) }) });
  const Template = z.looseObject({ spec: z.looseObject({ podTemplate: z.looseObject({ metadata: z.looseObject({ labels: Labels }), spec: PodSpec }) }) });
  if (object.kind === 'SandboxTemplate') {
    const { podTemplate } = Template.parse(object).spec;
    return { labels: podTemplate.metadata.labels, spec: podTemplate.spec };
  }
  const { template } = Workload.parse(object).spec;
  return { labels: template.metadata.labels, spec: template.spec };
}

const workloads = objects.filter(({ object }) => ['Deployment', 'StatefulSet', 'SandboxTemplate'].includes(object.kind));
// Read inside each test, so a malformed object fails the tests that read it, not the whole file.
const configMapData = () => z.looseObject({ data: z.record(z.string(), z.string()) }).parse(find('ConfigMap', 'unboxed')).data;
const appPod = () => podSpecOf(find('Deployment', 'unboxed'));
const machinePod = () => podSpecOf(find('SandboxTemplate', 'unboxed-machine'));
const appNames = new Set([...Object.keys(Env.shape), ...Object.keys(SandboxEnv.shape)]);
/** The one setting the app cannot take yet: the driver these manifests are for (docs/scale-out.md). */
const PLANNED_DRIVER = 'kubernetes';

describe('deploy/kubernetes: files', () => {
  it('lists every manifest of the folder in kustomization.yaml, and only those', () => {
    expect([...kustomization.resources].sort()).toEqual(applied.map(({ file }) => file));
  });

  it('validates every object against its schema', () => {
    expect(objects.length).toBeGreaterThan(10);
    const failures = objects.flatMap(({ file, object }) => schemaErrors(object, crds).map((error) => `${file} ${object.kind}/${object.metadata.name}: ${error}`));
    expect(failures.join('\n')).toBe('');
  });

  it('gives every object a namespace, except the cluster-wide kinds', () => {
    const clusterWide = new Set(['Namespace', 'RuntimeClass']);
    const namespaces = new Set(objects.filter(({ object }) => object.kind === 'Namespace').map(({ object }) => object.metadata.name));
    for (const { file, object } of objects) {
      const where = `${file} ${object.kind}/${object.metadata.name}`;
      if (clusterWide.has(object.kind)) expect(object.metadata.namespace, where).toBeUndefined();
      else expect(namespaces, `${where}: namespace ${object.metadata.namespace}`).toContain(object.metadata.namespace);
    }
  });
});

describe('deploy/kubernetes: our rules', () => {
  it('sets CPU and memory limits on every container', () => {
    for (const { file, object } of workloads) {
      const { spec } = podSpecOf(object);
      for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const limits = container.resources?.limits ?? {};
        expect(Object.keys(limits).sort(), `${file} ${object.kind}/${object.metadata.name} container ${container.name}: resources.limits`).toEqual(expect.arrayContaining(['cpu', 'memory']));
      }
    }
  });

  it('runs the app and its database as a non-root user with no privileges', () => {
    const app = appPod();
    for (const { object } of workloads.filter(({ object }) => object.metadata.namespace === 'unboxed')) {
      const { spec } = podSpecOf(object);
      const where = `${object.kind}/${object.metadata.name}`;
      expect(spec.securityContext?.runAsNonRoot, `${where}: securityContext.runAsNonRoot`).toBe(true);
      for (const container of spec.containers) {
        expect(container.securityContext?.runAsNonRoot, `${where} ${container.name}: must not undo runAsNonRoot`).not.toBe(false);
        expect(container.securityContext?.allowPrivilegeEscalation, `${where} ${container.name}: allowPrivilegeEscalation`).toBe(false);
        expect(container.securityContext?.capabilities?.drop, `${where} ${container.name}: capabilities.drop`).toEqual(['ALL']);
      }
    }
    expect(app.spec.containers[0]!.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it("names only variables the app's config schema knows, and their values parse", () => {
    const app = appPod();
    const configMap = configMapData();
    const container = app.spec.containers[0]!;
    expect(container.envFrom?.map((source) => source.configMapRef?.name)).toEqual(['unboxed']);
    const names = [...Object.keys(configMap), ...(container.env ?? []).map((variable) => variable.name)];
    expect(names.filter((name) => !appNames.has(name))).toEqual([]);
    // The values as the app would read them (the Secret's are set apart; the driver is the planned one).
    expect(configMap.UNBOXED_SANDBOX_DRIVER).toBe(PLANNED_DRIVER);
    expect(Object.keys(drivers), `a ${PLANNED_DRIVER} driver exists now: drop PLANNED_DRIVER and parse its value too`).not.toContain(PLANNED_DRIVER);
    expect(() => parseConfig({ ...configMap, UNBOXED_SANDBOX_DRIVER: undefined, UNBOXED_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://unboxed@unboxed-postgres/unboxed' })).not.toThrow();
  });

  it('probes readiness on a GET route the server has, with a Host it answers to', () => {
    const app = appPod();
    const configMap = configMapData();
    const probe = app.spec.containers[0]!.readinessProbe?.httpGet;
    expect(probe, 'the app container has a readinessProbe.httpGet').toBeDefined();
    expect(authRoutes.some((route) => route.method === 'GET' && route.path.test(probe!.path))).toBe(true);
    const host = probe!.httpHeaders?.find((header) => header.name.toLowerCase() === 'host')?.value;
    const env = Env.parse(configMap);
    expect(SiteHosts.of(env).allowsHost(host), `Host ${host}`).toBe(true);
  });

  it('gives machines the limits of the config, in a Kata VM, with no service account token', () => {
    const machine = machinePod();
    const configMap = configMapData();
    const { limits } = parseConfig({ ...configMap, UNBOXED_SANDBOX_DRIVER: undefined }).sandbox;
    const container = machine.spec.containers[0]!;
    expect(container.resources?.limits).toEqual({ cpu: String(limits.cpus), memory: `${limits.memoryMiB}Mi` });
    const Disk = z.looseObject({ ephemeral: z.looseObject({ volumeClaimTemplate: z.looseObject({ spec: z.looseObject({ resources: z.looseObject({ requests: z.object({ storage: z.string() }) }) }) }) }) });
    const disk = Disk.parse(machine.spec.volumes?.find((volume) => volume.name === 'disk'));
    expect(disk.ephemeral.volumeClaimTemplate.spec.resources.requests.storage).toBe(`${limits.diskMiB}Mi`);
    expect(container.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: [...MACHINE_CAPABILITIES] });
    expect(machine.spec.automountServiceAccountToken).toBe(false);
    expect(machine.spec.runtimeClassName).toBe(find('RuntimeClass', machine.spec.runtimeClassName ?? '').metadata.name);
    expect(z.looseObject({ handler: z.string() }).parse(find('RuntimeClass', 'unboxed-kata')).handler).toMatch(/^kata/);
  });

  it('denies every connection to and from machines, in the template and in a NetworkPolicy', () => {
    const machine = machinePod();
    const template = z.looseObject({ spec: z.looseObject({ networkPolicyManagement: z.string(), networkPolicy: z.looseObject({ ingress: z.array(z.unknown()), egress: z.array(z.unknown()) }) }) }).parse(find('SandboxTemplate', 'unboxed-machine'));
    expect(template.spec.networkPolicyManagement).toBe('Managed');
    expect(template.spec.networkPolicy).toEqual({ ingress: [], egress: [] });
    const Policy = z.looseObject({
      metadata: z.looseObject({ namespace: z.string() }),
      spec: z.looseObject({ podSelector: z.looseObject({ matchLabels: Labels }), policyTypes: z.array(z.string()), ingress: z.array(z.unknown()).optional(), egress: z.array(z.unknown()).optional() }),
    });
    const policy = Policy.parse(find('NetworkPolicy', 'unboxed-machines-deny-all'));
    expect(policy.metadata.namespace).toBe(find('SandboxTemplate', 'unboxed-machine').metadata.namespace);
    expect(Object.entries(policy.spec.podSelector.matchLabels).every(([key, value]) => machine.labels[key] === value), 'the policy selects the machine pods').toBe(true);
    expect([...policy.spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(policy.spec.ingress ?? []).toEqual([]);
    expect(policy.spec.egress ?? []).toEqual([]);
  });

  it('sizes the warm pool by UNBOXED_POOL_SIZE and ends a claim after the machine lifetime', () => {
    const configMap = configMapData();
    const { sandbox } = parseConfig({ ...configMap, UNBOXED_SANDBOX_DRIVER: undefined });
    const pool = z.looseObject({ spec: z.looseObject({ replicas: z.number(), sandboxTemplateRef: z.object({ name: z.string() }) }) }).parse(find('SandboxWarmPool', 'unboxed-machines'));
    expect(pool.spec.replicas).toBe(sandbox.poolSize);
    expect(pool.spec.sandboxTemplateRef.name).toBe('unboxed-machine');
    const Claim = z.looseObject({
      metadata: z.looseObject({ annotations: z.object({ 'unboxed/created': z.iso.datetime() }).loose() }),
      spec: z.looseObject({ warmPoolRef: z.object({ name: z.string() }), lifecycle: z.object({ shutdownTime: z.iso.datetime(), shutdownPolicy: z.string() }) }),
    });
    for (const { file, object } of objects.filter(({ object }) => object.kind === 'SandboxClaim')) {
      const claim = Claim.parse(object);
      expect(claim.spec.warmPoolRef.name, file).toBe('unboxed-machines');
      const lifetime = (Date.parse(claim.spec.lifecycle.shutdownTime) - Date.parse(claim.metadata.annotations['unboxed/created'])) / 1000;
      expect(lifetime, `${file}: shutdownTime - created`).toBe(sandbox.limits.lifetimeSeconds);
      expect(claim.spec.lifecycle.shutdownPolicy, `${file}: the claim goes with its machine`).toBe('Delete');
    }
  });

  it('grants the app only claims, its pool, reading pods and exec, in the machines namespace', () => {
    const app = appPod();
    const Rule = z.object({ apiGroups: z.array(z.string()), resources: z.array(z.string()), verbs: z.array(z.string()), resourceNames: z.array(z.string()).optional() });
    const role = z.looseObject({ metadata: z.looseObject({ namespace: z.string() }), rules: z.array(Rule) }).parse(find('Role', 'unboxed-app'));
    expect(role.metadata.namespace).toBe('unboxed-machines');
    const allowed: Record<string, readonly string[]> = {
      'extensions.agents.x-k8s.io/sandboxclaims': ['get', 'list', 'watch', 'create', 'delete'],
      'extensions.agents.x-k8s.io/sandboxwarmpools/scale': ['get', 'patch'],
      '/pods': ['get', 'list', 'watch'],
      '/pods/exec': ['get', 'create'],
    };
    for (const rule of role.rules) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const key = `${group}/${resource}`;
          expect(Object.keys(allowed), `Role unboxed-app grants ${key}`).toContain(key);
          expect(rule.verbs.filter((verb) => !allowed[key]!.includes(verb)), `Role unboxed-app verbs on ${key}`).toEqual([]);
        }
      }
    }
    const scale = role.rules.find((rule) => rule.resources.includes('sandboxwarmpools/scale'));
    expect(scale?.resourceNames).toEqual(['unboxed-machines']);
    const binding = z.looseObject({ roleRef: z.looseObject({ name: z.string() }), subjects: z.array(z.looseObject({ kind: z.string(), name: z.string(), namespace: z.string() })) }).parse(find('RoleBinding', 'unboxed-app'));
    expect(binding.roleRef.name).toBe('unboxed-app');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: app.spec.serviceAccountName, namespace: 'unboxed' }]);
  });
});
