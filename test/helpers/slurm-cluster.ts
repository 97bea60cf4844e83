/**
 * A real Slurm cluster for a suite: munged, slurmctld and N slurmd, each node in a network
 * namespace of its own on a private bridge (test/cluster/slurm-cluster.sh). Made in before()
 * and taken down in after() — and at exit, should the run be cut short — with its namespaces,
 * daemons and spool folders. Where Slurm, munge, iproute2 or root are missing the suite skips,
 * saying why, except under REQUIRE_CLUSTER=1 (CI), where that fails instead.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { repoPath } from '../../kernel/paths';
import { apiDefaults } from './http';
import { startTestPlatform, tempDir, type TestPlatform } from './platform';

const run = promisify(execFile);
export const CLUSTER_SCRIPT = repoPath('test', 'cluster', 'slurm-cluster.sh');
const TOOLS = ['slurmctld', 'slurmd', 'sbatch', 'munged', 'ip', 'nsenter'];

export interface TestCluster {
  dir: string;
  /** This machine's address on the cluster's bridge: where the nodes reach the platform. */
  hostAddress: string;
  nodes: { name: string; address: string }[];
  /** Kills node n's slurmd and everything it runs, and cuts its link (n from 1). */
  killNode(n: number): Promise<void>;
  /** Joins node n again and starts its slurmd. */
  reviveNode(n: number): Promise<void>;
  /** What must end while the cluster is still up (a platform using it), run before it is taken down. */
  beforeDown: (() => Promise<void>)[];
}

/** Why a cluster cannot be made here, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'a test cluster needs root (network namespaces, slurmd)';
  const missing = TOOLS.filter((tool) => !['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((dir) => fs.existsSync(`${dir}/${tool}`)));
  if (missing.length) return `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (apt-get install slurm-wlm munge iproute2)`;
  return undefined;
}

function readEnv(dir: string): Record<string, string> {
  const text = fs.readFileSync(`${dir}/env`, 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** Makes a cluster in `dir` (SLURM_CONF set for Slurm's commands until it is taken down). */
export async function clusterUp(dir: string, options: { nodes?: number; pin?: boolean } = {}): Promise<TestCluster> {
  const args = ['up', dir, '--nodes', String(options.nodes ?? 2), ...(options.pin ? ['--pin'] : [])];
  await run('bash', [CLUSTER_SCRIPT, ...args]);
  const env = readEnv(dir);
  process.env.SLURM_CONF = env.SLURM_CONF;
  return {
    dir,
    hostAddress: env.CLUSTER_HOST_ADDRESS,
    nodes: env.CLUSTER_NODES.split(',').map((pair) => {
      const [name, address] = pair.split('=');
      return { name, address };
    }),
    killNode: async (n) => void (await run('bash', [CLUSTER_SCRIPT, 'kill-node', dir, String(n)])),
    reviveNode: async (n) => void (await run('bash', [CLUSTER_SCRIPT, 'revive-node', dir, String(n)])),
    beforeDown: [],
  };
}

/** Takes the cluster in `dir` down: its daemons, whatever runs in its namespaces, the namespaces, the bridge, `dir`. */
export function clusterDown(dir: string): void {
  execFileSync('bash', [CLUSTER_SCRIPT, 'down', dir], { stdio: 'inherit' });
  delete process.env.SLURM_CONF;
}

/**
 * In a describe(): a cluster for the suite (SLURM_CONF set for Slurm's commands meanwhile).
 * Usage: `const cluster = useSlurmCluster(this);` then `cluster().hostAddress` in tests.
 */
export function useSlurmCluster(suite: Mocha.Suite, options: { nodes?: number; pin?: boolean } = {}): () => TestCluster {
  let cluster: TestCluster | undefined;
  let dir: string | undefined;
  const previousConf = process.env.SLURM_CONF;
  const down = () => {
    if (!dir) return;
    const d = dir;
    dir = undefined;
    clusterDown(d);
    if (previousConf !== undefined) process.env.SLURM_CONF = previousConf;
  };
  before(async function () {
    this.timeout(60_000);
    const why = clusterUnavailable();
    if (why) {
      if (process.env.REQUIRE_CLUSTER === '1') throw new Error(`${why}; REQUIRE_CLUSTER=1 makes that a failure`);
      suite.title += ` (skipped: ${why})`;
      return this.skip();
    }
    dir = await tempDir('slurm');
    process.once('exit', down);
    cluster = await clusterUp(dir, options);
  });
  // A failed test shows what the nodes' runners said (their output stays on the nodes otherwise).
  afterEach(function () {
    if (this.currentTest?.state !== 'failed' || !cluster) return;
    const folder = `${cluster.dir}/node-work`;
    for (const file of fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.out')) : []) {
      process.stderr.write(`--- ${file} (the runner's output on its node)\n${fs.readFileSync(`${folder}/${file}`, 'utf8').slice(-4000)}\n`);
    }
  });
  after(async function () {
    this.timeout(120_000);
    for (const close of cluster?.beforeDown.splice(0) ?? []) await close();
    process.off('exit', down);
    down();
  });
  return () => {
    if (!cluster) throw new Error('the test cluster is not up');
    return cluster;
  };
}

export const CLUSTER_TOKEN = 'cluster-suite-token';

/** The settings of a platform on the test cluster. */
export function clusterPlatformEnv(c: TestCluster): Record<string, string> {
  return {
    EXECUTOR: 'slurm',
    CLUSTER_ADDRESS: c.hostAddress,
    HOST: '0.0.0.0',
    AUTH_TOKEN: CLUSTER_TOKEN,
    CLUSTER_WORK_DIR: `${c.dir}/node-work`,
    CLUSTER_SILENCE_MS: '5000',
    STOP_GRACE_MS: '2000',
  };
}

/**
 * The platform in this process with EXECUTOR=slurm: listening beyond loopback (the nodes
 * connect back through the bridge) and so with credentials, which `api` calls send.
 */
export async function startClusterPlatform(c: TestCluster, env: Record<string, string> = {}): Promise<TestPlatform> {
  const t = await startTestPlatform({ ...clusterPlatformEnv(c), ...env });
  apiDefaults.headers = { 'X-Auth-Token': CLUSTER_TOKEN };
  const close = async () => {
    apiDefaults.headers = {};
    await t.close();
  };
  // Mocha runs after() hooks in the order they were made: the platform must stop before the cluster goes.
  c.beforeDown.push(close);
  return { ...t, close };
}
