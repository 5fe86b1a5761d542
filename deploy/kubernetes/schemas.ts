import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { RuntimeClass } from 'kubernetes-models/node.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, PodSpec, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

/** One object of a manifest file, as parsed. */
export const Manifest = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name'), namespace: z.string().optional() }),
});
export type Manifest = z.infer<typeof Manifest> & Record<string, unknown>;

export interface ManifestFile {
  /** Relative to the folder read. */
  readonly file: string;
  readonly objects: readonly Manifest[];
}

/** Every object of a YAML file; a syntax error or an object without apiVersion, kind and name throws, naming the file. */
export function readManifests(dir: string, file: string): ManifestFile {
  const documents = parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${file}: not a YAML stream`);
  const objects = documents.flatMap((document, index) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (value === null) return [];
    const parsed = Manifest.safeParse(value);
    if (!parsed.success) throw new Error(`${file}, document ${index + 1}: ${z.prettifyError(parsed.error)}`);
    return [parsed.data as Manifest];
  });
  return { file, objects };
}

/** The YAML files of a folder, sorted. */
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/**
 * The built-in kinds the manifests use, each with kubernetes-models' class, whose
 * validate() checks the object against the Kubernetes OpenAPI schema it was generated
 * from (types, required fields, enums, quantities). A kind missing here fails the test
 * until it is added.
 */
const builtIn: Readonly<Record<string, ModelClass>> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'node.k8s.io/v1/RuntimeClass': RuntimeClass,
};

const CrdVersion = z.looseObject({ name: z.string(), served: z.boolean(), schema: z.object({ openAPIV3Schema: z.looseObject({}) }) });
const Crd = z.looseObject({
  apiVersion: z.literal('apiextensions.k8s.io/v1'),
  kind: z.literal('CustomResourceDefinition'),
  spec: z.looseObject({ group: z.string(), names: z.looseObject({ kind: z.string() }), versions: z.array(CrdVersion).min(1) }),
});

/** The Kubernetes OpenAPI extensions a CRD schema may carry; they constrain the API server, not the JSON shape. */
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-validations',
];

/**
 * A CRD schema made strict: an object that names its properties admits no others, as
 * `kubectl apply --validate=strict` (its default) refuses unknown fields where the API
 * server would drop them silently. Open objects (preserve-unknown-fields, maps) stay open.
 */
function strict(schema: AnySchemaObject): AnySchemaObject {
  const out: AnySchemaObject = { ...schema };
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, AnySchemaObject>).map(([k, v]) => [k, strict(v)]));
  if (schema.items) out.items = strict(schema.items as AnySchemaObject);
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = strict(schema.additionalProperties as AnySchemaObject);
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) if (Array.isArray(schema[key])) out[key] = (schema[key] as AnySchemaObject[]).map(strict);
  return out;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Validators for the served versions of the CRDs in `dir`, keyed `group/version/Kind`. */
export function crdValidators(dir: string): Map<string, ValidateFunction> {
  // strictTypes off: Kubernetes' int-or-string schemas put `pattern` beside an anyOf of integer and string.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)));
  const validators = new Map<string, ValidateFunction>();
  for (const file of yamlFiles(dir)) {
    const { objects } = readManifests(dir, file);
    if (objects.length !== 1) throw new Error(`crds/${file}: holds ${objects.length} objects; one CRD a file`);
    const crd = Crd.parse(objects[0]);
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(strict(version.schema.openAPIV3Schema)));
    }
  }
  return validators;
}

/**
 * Schema errors of one object: a built-in kind against kubernetes-models, a custom
 * resource against its CRD (and a SandboxTemplate's pod spec against PodSpec). Empty
 * when valid.
 */
export function schemaErrors(object: Manifest, crds: ReadonlyMap<string, ValidateFunction>): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = builtIn[key];
  if (Model) return errorsOf(() => new Model(object as never).validate());
  const validate = crds.get(key);
  if (!validate) return [`no schema for ${key}: add its kubernetes-models class to deploy/kubernetes/schemas.ts or its CRD to crds/`];
  const errors = validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
  if (object.kind === 'SandboxTemplate') {
    const podSpec = (object as { spec?: { podTemplate?: { spec?: unknown } } }).spec?.podTemplate?.spec;
    if (podSpec !== undefined) errors.push(...errorsOf(() => new PodSpec(podSpec as never).validate()).map((e) => `/spec/podTemplate/spec: ${e}`));
  }
  return errors;
}

function errorsOf(validate: () => void): string[] {
  try {
    validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
