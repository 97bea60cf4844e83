/**
 * The platform's runner for a service instance on a cluster node: started by the Slurm job
 * the platform submitted for the instance, it connects back to the platform and hosts the
 * instance there (instance-host.ts). It exits when the instance does, with its code.
 */
import os from 'node:os';
import { connectWithRetries, decodeLinkInfo, NODE_LINK_VARIABLE } from '../../kernel/cluster/node-link';
import { hostInstance } from './instance-host';

async function main(): Promise<void> {
  const info = decodeLinkInfo(process.env[NODE_LINK_VARIABLE]);
  delete process.env[NODE_LINK_VARIABLE];
  const channel = await connectWithRetries(info);
  const code = await hostInstance(channel, process.env.SLURMD_NODENAME ?? os.hostname(), info.secret);
  await channel.finish('the instance ended');
  process.exit(code);
}

main().catch((err: Error) => {
  process.stderr.write(`modelarts-local instance host: ${err.message}\n`);
  process.exit(1);
});
