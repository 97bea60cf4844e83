#!/usr/bin/env bash
# A real Slurm cluster on this machine, for the cluster tests, the bench and trying EXECUTOR=slurm:
# its own munged, a slurmctld on this host and N slurmd, each in a network namespace of its own
# joined to a bridge on a private subnet (10.232.<id>.0/24; nothing is routed anywhere else).
#
#   test/cluster/slurm-cluster.sh up <dir> [--nodes N] [--cpus C] [--memory MiB] [--id ID] [--pin]
#   test/cluster/slurm-cluster.sh down <dir>
#   test/cluster/slurm-cluster.sh kill-node <dir> <n>      # kills node n's slurmd and cuts its link
#   test/cluster/slurm-cluster.sh revive-node <dir> <n>    # joins it again and starts its slurmd
#
# `up` writes <dir>/env (SLURM_CONF, the platform's address for the nodes, the node addresses);
# `down` stops every daemon and every process left in the namespaces, and removes the namespaces,
# the bridge and <dir>. Each node declares C CPUs (default 8) and MiB of memory (default 32768),
# as written, not measured: the nodes share this machine's cores and memory, and flavors such as
# modelarts.vm.cpu.2u (2 CPUs, 8 GiB) fit. --pin starts node n's slurmd on core (n-1) mod cores,
# so that each node's jobs have a core of their own. Needs root, slurm-wlm, munge and iproute2.
set -euo pipefail

usage() { sed -n '5,9p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd="$1"
dir="$(realpath -m "$2")"
shift 2

nodes=2
cpus=8
memory=32768
id=""
pin=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --cpus) cpus="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --id) id="$2"; shift 2 ;;
    --pin) pin=1; shift ;;
    *) break ;;
  esac
done

# Names and addresses follow from the id, which `up` records in the folder.
names() {
  bridge="mas${id}br"
  subnet="10.232.${id}"
  host_addr="${subnet}.1"
}
ns_of() { echo "ma-slurm-${id}-n$1"; }
veth_of() { echo "mas${id}v$1"; }
node_addr() { echo "${subnet}.$((10 + $1))"; }

free_port() {
  node -e "const s=require('net').createServer().listen(0,'$1',()=>{console.log(s.address().port);s.close()})"
}

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop_pidfile() {
  local file="$1" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if pid_alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
    pid_alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Every process whose network namespace is ns (jobs slurmd started, and their children).
kill_namespace_processes() {
  local ns="$1" pids
  [ -e "/run/netns/$ns" ] || return 0
  pids="$(ip netns pids "$ns" 2>/dev/null || true)"
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  return 0
}

network_up() {
  ip link add "$bridge" type bridge
  ip addr add "${host_addr}/24" dev "$bridge"
  ip link set "$bridge" up
  for n in $(seq "$nodes"); do
    local ns veth
    ns="$(ns_of "$n")"
    veth="$(veth_of "$n")"
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$bridge"
    ip link set "$veth" up
    ip -n "$ns" addr add "$(node_addr "$n")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
}

munge_up() {
  mkdir -p "$dir/munge"
  chmod 700 "$dir/munge"
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
}

write_conf() {
  local ctld_port="$1" slurmd_port="$2" cpus="$3" mem="$4"
  mkdir -p "$dir/ctld" "$dir/spool" "$dir/log"
  cat > "$dir/slurm.conf" <<EOF
# Written by test/cluster/slurm-cluster.sh: a test cluster on namespace hosts.
ClusterName=ma${id}
SlurmctldHost=$(hostname)(${host_addr})
SlurmctldPort=${ctld_port}
SlurmdPort=${slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${dir}/munge/munge.socket
StateSaveLocation=${dir}/ctld
SlurmdSpoolDir=${dir}/spool/%n
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd-%n.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# A submitted job is scheduled at once (Slurm may otherwise wait up to 3 s to batch its scheduling).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
# A lost node is noticed within seconds, and a stopped job's processes get 5 s after SIGTERM.
SlurmdTimeout=10
SlurmctldTimeout=10
KillWait=5
MinJobAge=300
# A job no node could ever take is refused at sbatch, not left pending.
EnforcePartLimits=ALL
InactiveLimit=0
Waittime=0
NodeName=DEFAULT CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
EOF
  for n in $(seq "$nodes"); do
    echo "NodeName=node${n} NodeAddr=$(node_addr "$n")" >> "$dir/slurm.conf"
  done
  # LLN: each job goes to the least loaded node, so a service's instances spread over the nodes.
  echo "PartitionName=modelarts Nodes=ALL Default=YES MaxTime=INFINITE State=UP LLN=YES" >> "$dir/slurm.conf"
  # The cgroup plugin cannot be switched off in 22.05; autodetect works with proctrack/linuxproc.
  echo "CgroupPlugin=autodetect" > "$dir/cgroup.conf"
}

slurmd_up() {
  local n="$1" ns prefix=()
  ns="$(ns_of "$n")"
  if [ "$pin" = 1 ]; then prefix=(taskset -c "$(( (n - 1) % $(nproc) ))"); fi
  # nsenter, not `ip netns exec`: the latter mounts a fresh /sys, which hides the cgroup mounts.
  nsenter --net="/run/netns/$ns" "${prefix[@]}" slurmd -f "$dir/slurm.conf" -N "node${n}"
}

# Waits until every node takes jobs (idle, or running some: mix, alloc).
wait_usable() {
  for _ in $(seq 150); do
    local usable
    usable="$(SLURM_CONF="$dir/slurm.conf" sinfo -h -N -o '%N %t' 2>/dev/null | grep -cE ' (idle|mix|alloc)$' || true)"
    [ "$usable" -ge "$nodes" ] && return 0
    sleep 0.2
  done
  echo "the cluster's nodes did not all come up:" >&2
  SLURM_CONF="$dir/slurm.conf" sinfo -N >&2 || true
  tail -n 20 "$dir"/log/*.log >&2 || true
  return 1
}

up() {
  [ "$(id -u)" -eq 0 ] || { echo "the test cluster needs root (network namespaces, slurmd)" >&2; exit 1; }
  for tool in slurmctld slurmd munged ip nsenter; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install slurm-wlm munge iproute2" >&2; exit 1; }
  done
  [ -e "$dir/id" ] && { echo "$dir holds a cluster already; take it down first" >&2; exit 1; }
  if [ -z "$id" ]; then
    for candidate in $(shuf -i 1-250); do
      [ -e "/sys/class/net/mas${candidate}br" ] || { id="$candidate"; break; }
    done
  fi
  mkdir -p "$dir"
  echo "$id" > "$dir/id"
  echo "$nodes" > "$dir/node-count"
  names
  trap 'echo "setting up the cluster failed; taking it down" >&2; down' ERR
  network_up
  munge_up
  write_conf "$(free_port "$host_addr")" "$(free_port 127.0.0.1)" "$cpus" "$memory"
  slurmctld -f "$dir/slurm.conf"
  for n in $(seq "$nodes"); do slurmd_up "$n"; done
  wait_usable
  trap - ERR
  {
    echo "SLURM_CONF=$dir/slurm.conf"
    echo "CLUSTER_HOST_ADDRESS=$host_addr"
    echo "CLUSTER_NODES=$(for n in $(seq "$nodes"); do printf 'node%s=%s,' "$n" "$(node_addr "$n")"; done | sed 's/,$//')"
    echo "CLUSTER_NAMESPACES=$(for n in $(seq "$nodes"); do printf '%s,' "$(ns_of "$n")"; done | sed 's/,$//')"
  } > "$dir/env"
  echo "cluster ma${id} up: $nodes nodes on ${subnet}.0/24, controller at ${host_addr}; environment in $dir/env"
}

down() {
  [ -e "$dir/id" ] || { rm -rf "$dir"; return 0; }
  id="$(cat "$dir/id")"
  nodes="$(cat "$dir/node-count" 2>/dev/null || echo 0)"
  names
  for n in $(seq "$nodes"); do
    stop_pidfile "$dir/slurmd-node${n}.pid"
    kill_namespace_processes "$(ns_of "$n")"
  done
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munge/munged.pid"
  for n in $(seq "$nodes"); do
    ip link del "$(veth_of "$n")" 2>/dev/null || true
    ip netns del "$(ns_of "$n")" 2>/dev/null || true
  done
  ip link del "$bridge" 2>/dev/null || true
  rm -rf "$dir"
}

# A node dies: its slurmd and everything it runs are killed, and its link to the others is cut.
kill_node() {
  local n="$1"
  id="$(cat "$dir/id")"
  names
  ip link set "$(veth_of "$n")" down
  stop_pidfile "$dir/slurmd-node${n}.pid"
  kill_namespace_processes "$(ns_of "$n")"
}

# A node comes back: its link up, its slurmd started (ReturnToService=2 makes it usable again).
revive_node() {
  local n="$1"
  id="$(cat "$dir/id")"
  nodes="$(cat "$dir/node-count")"
  names
  ip link set "$(veth_of "$n")" up
  slurmd_up "$n"
  wait_usable
}

case "$cmd" in
  up) up ;;
  down) down ;;
  kill-node) [ $# -ge 1 ] || usage; kill_node "$1" ;;
  revive-node) [ $# -ge 1 ] || usage; revive_node "$1" ;;
  *) usage ;;
esac
