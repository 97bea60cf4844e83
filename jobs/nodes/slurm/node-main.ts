/**
 * The platform's runner for training jobs on a cluster node: started by the Slurm job the
 * platform submitted (once per node, by srun), it connects back to the platform and does this
 * node's part of the version (node-runner.ts). Its exit code is the boot file's.
 */
import os from 'node:os';
import { connectWithRetries, decodeLinkInfo, NODE_LINK_VARIABLE } from '../../../kernel/cluster/node-link';
import { runNode } from './node-runner';

async function main(): Promise<void> {
  const info = decodeLinkInfo(process.env[NODE_LINK_VARIABLE]);
  delete process.env[NODE_LINK_VARIABLE];
  const channel = await connectWithRetries(info);
  const code = await runNode(channel, Number(process.env.SLURM_PROCID ?? 0), process.env.SLURMD_NODENAME ?? os.hostname());
  await channel.finish('the node is done');
  process.exit(code);
}

main().catch((err: Error) => {
  process.stderr.write(`modelarts-local node runner: ${err.message}\n`);
  process.exit(1);
});
