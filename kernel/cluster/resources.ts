/**
 * What a ModelArts flavor or specification asks of a node: its vCPUs (the number before `u`,
 * as in modelarts.vm.cpu.2u) and ModelArts' 4 GiB per vCPU of CPU flavors (cpu.2u: 2 vCPUs,
 * 8 GiB; cpu.8u: 8 vCPUs, 32 GiB). A name without a count asks for one vCPU.
 */
export interface NodeResources {
  cpus: number;
  memoryMb: number;
}

const MB_PER_VCPU = 4096;

export function flavorResources(flavor: string): NodeResources {
  const count = /\.(\d+)u(?:\.|$)/.exec(flavor);
  const cpus = count ? Math.max(1, Number(count[1])) : 1;
  return { cpus, memoryMb: cpus * MB_PER_VCPU };
}
