/**
 * The container and Kubernetes files agree with the server: the manifests render with kustomize,
 * probe the paths the server answers on the port it listens on, and set only variables the server
 * reads; the Dockerfile installs and starts with the commands a checkout uses.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '@switchboard/server';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

/** Every environment variable name the server's configuration reads. */
function configVariables(): Set<string> {
  const source = read('packages/server/src/config.ts');
  const names = new Set<string>();
  for (const match of source.matchAll(/\benv(?:\.|, ')([A-Z][A-Z0-9_]+)/g)) names.add(match[1]!);
  return names;
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
if (!hasKubectl && process.env.CI !== 'true') {
  console.warn('tests/deploy: kubectl is not installed, so the Kubernetes manifests are not rendered (install kubectl to run these tests)');
}

describe('configuration variables', () => {
  it('are found in the server configuration (the list the other checks compare against)', () => {
    const names = configVariables();
    for (const name of ['PORT', 'HOST', 'PUBLIC_URL', 'DATABASE_URL', 'REDIS_URL', 'SWITCHBOARD_SECRET_KEY', 'SWITCHBOARD_DATA_DIR', 'LOG_LEVEL']) {
      expect(names, name).toContain(name);
    }
    expect(loadConfig({ PORT: '9999' }).port).toBe(9999);
  });
});

describe.runIf(hasKubectl || process.env.CI === 'true')('deploy/k8s rendered by kustomize', () => {
  const rendered = hasKubectl ? execFileSync('kubectl', ['kustomize', `${ROOT}deploy/k8s`], { encoding: 'utf8' }) : '';
  const documents = parseAllDocuments(rendered).map((document) => document.toJS() as Record<string, any>);
  const byKind = (kind: string) => documents.filter((document) => document.kind === kind);

  it('holds a Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget, ConfigMap and Secret in one namespace', () => {
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ConfigMap', 'Secret']) {
      expect(byKind(kind), kind).toHaveLength(1);
      expect(byKind(kind)[0]!.metadata.namespace, kind).toBe('switchboard');
    }
  });

  it('probes readiness on /ready and liveness on /health, on the port the server listens on', () => {
    const container = byKind('Deployment')[0]!.spec.template.spec.containers[0];
    const port = container.ports.find((p: { name: string }) => p.name === 'http').containerPort;
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(loadConfig(env).port).toBe(port);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const service = byKind('Service')[0]!;
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(service.spec.selector).toEqual(byKind('Deployment')[0]!.spec.selector.matchLabels);
  });

  it('sets only variables the server reads, with the master key and database URL in the Secret', () => {
    const known = configVariables();
    const container = byKind('Deployment')[0]!.spec.template.spec.containers[0];
    const names = [
      ...container.env.map((e: { name: string }) => e.name),
      ...Object.keys(byKind('ConfigMap')[0]!.data),
      ...Object.keys(byKind('Secret')[0]!.stringData),
    ];
    for (const name of names) expect(known, `${name} is not read by packages/server/src/config.ts`).toContain(name);
    expect(Object.keys(byKind('Secret')[0]!.stringData).sort()).toEqual(['DATABASE_URL', 'SWITCHBOARD_SECRET_KEY']);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'switchboard' } }, { secretRef: { name: 'switchboard' } }]);
  });

  it('runs as a non-root user and scales between two and ten pods, keeping one through disruptions', () => {
    const pod = byKind('Deployment')[0]!.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(byKind('HorizontalPodAutoscaler')[0]!.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'switchboard' } });
    expect(byKind('PodDisruptionBudget')[0]!.spec.minAvailable).toBe(1);
  });
});

describe('the Dockerfile and the compose file', () => {
  const dockerfile = read('Dockerfile');
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;

  it('installs with npm ci, builds with npm run build, and starts what npm start runs, with V8\'s default young generation', () => {
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build\b/m);
    const startCommand = scripts.start!.split('&&').pop()!.trim();
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(cmd.join(' ')).toBe(startCommand);
    expect(startCommand).not.toContain('semi-space');
    expect(scripts.build).toBeDefined();
  });

  it('the switchboard bin runs node with the flags npm start gives it', () => {
    const startCommand = scripts.start!.split('&&').pop()!.trim();
    const nodeWithFlags = startCommand.slice(0, startCommand.indexOf(' packages/'));
    const shebang = read('packages/server/bin/switchboard.js').split('\n')[0];
    expect(shebang).toBe(nodeWithFlags === 'node' ? '#!/usr/bin/env node' : `#!/usr/bin/env -S ${nodeWithFlags}`);
  });

  it('runs as the unprivileged node user with data under a volume and a health check on /health', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/SWITCHBOARD_DATA_DIR=\/data/);
    expect(dockerfile).toMatch(/^HEALTHCHECK[\s\S]*\/health/m);
    expect((dockerfile.match(/^FROM /gm) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('runs two nodes, PostgreSQL, Redis and a proxy, setting only variables the server reads', () => {
    const compose = parseAllDocuments(read('deploy/compose.yaml'), { merge: true })[0]!.toJS() as Record<string, any>;
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'proxy', 'redis', 'switchboard-1', 'switchboard-2']);
    const known = configVariables();
    for (const node of ['switchboard-1', 'switchboard-2']) {
      for (const name of Object.keys(compose.services[node].environment)) expect(known, `${node}: ${name}`).toContain(name);
    }
    expect(read('deploy/nginx.conf')).toMatch(/proxy_buffering off/);
  });
});
