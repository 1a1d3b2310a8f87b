#!/usr/bin/env bash
# End-to-end test of `seqrec sweep --slurm` against a real Slurm (Debian's slurm-wlm): starts
# munge, a single-node slurmctld and slurmd on this machine, submits the generated scripts,
# waits for the array and the report job, and checks that every trial finished exactly once
# and the report was written. Needs root (the daemons); exits 77 (skipped) otherwise.
set -euo pipefail
seqrec=${1:?usage: slurm_sweep_test.sh PATH/TO/seqrec}
seqrec=$(readlink -f "$seqrec")

if [[ $(id -u) -ne 0 ]]; then echo "slurm test: needs root to start the daemons; skipped"; exit 77; fi
for tool in munged slurmctld slurmd sbatch squeue sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm test: $tool missing (bash scripts/setup.sh installs slurm-wlm)"; exit 1; }
done

work=$(mktemp -d /tmp/seqrec-slurm-XXXXXX)
started_munge=0
cleanup() {
  set +e
  [[ -f $work/slurmctld.pid ]] && kill "$(cat "$work/slurmctld.pid")" 2>/dev/null
  [[ -f $work/slurmd.pid ]] && kill "$(cat "$work/slurmd.pid")" 2>/dev/null
  ((started_munge)) && pkill -x munged
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# munge: the authentication Slurm uses between its daemons and commands.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [[ -s /etc/munge/munge.key ]] || { mungekey --create >/dev/null 2>&1 || create-munge-key -f; chown munge:munge /etc/munge/munge.key; }
  su -s /bin/sh munge -c /usr/sbin/munged
  started_munge=1
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
fi

# Ports in a range no system service uses, varied per run so a leftover daemon cannot clash.
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/state" "$work/spool"
cat >"$work/slurm.conf" <<CONF
ClusterName=seqrec-test
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=localhost NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -i
slurmd -N localhost
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.2; done
sinfo -h -o %T | grep -q idle || { echo "slurm test: node never became idle"; cat "$work"/*.log; exit 1; }

# A tiny sweep: 2 models x 2 seeds on synthetic data.
cd "$work"
"$seqrec" dataset synth --out "$work/synth" --users 80 --items 40 --max-len 10 --seed 5 >/dev/null
cat >"$work/spec.json" <<SPEC
{"name": "slurm-test", "out": "$work/sweep", "datasets": ["$work/synth"], "seeds": [1, 2],
 "base": {"epochs": 2, "hidden": 16},
 "models": [{"model": "pop"}, {"model": "sasrec", "set": {"loss": "ce"}}]}
SPEC
"$seqrec" sweep "$work/spec.json" --slurm --threads 1
bash "$work/sweep/slurm/submit.sh"

deadline=$((SECONDS + 300))
while squeue -h 2>/dev/null | grep -q .; do
  ((SECONDS < deadline)) || { echo "slurm test: jobs still queued after 300 s"; squeue; exit 1; }
  sleep 1
done

listing=$("$seqrec" sweep "$work/spec.json" --list)
echo "$listing"
trials=$(echo "$listing" | awk '$3 == "done"' | wc -l)
[[ $trials -eq 4 ]] || { echo "slurm test: expected 4 finished trials, got $trials"; cat "$work"/sweep/slurm/*.log; exit 1; }
folders=$(find "$work/sweep" -mindepth 1 -maxdepth 1 -type d ! -name '.*' ! -name slurm ! -name report | wc -l)
[[ $folders -eq 4 ]] || { echo "slurm test: expected 4 trial folders, got $folders"; exit 1; }
[[ -s $work/sweep/report/leaderboard.md ]] || { echo "slurm test: no report"; cat "$work/sweep/slurm/report.log"; exit 1; }
grep -q sasrec "$work/sweep/report/leaderboard.md"
echo "slurm test: 4 array tasks ran every trial once; report written"
echo "1 passed, 0 failed"
