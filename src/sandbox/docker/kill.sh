# Sourced into the root control shell of every Docker sandbox: stops a timed-out command.
# Builtins only (no fork), so it still works when a fork bomb has used up the sandbox's process limit.
#
# Victims: every live process of the agent's uid that started after the command did (start time from
# /proc/<pid>/stat, in clock ticks of 10 ms): the command's own process, its children, daemons that left its
# session and orphans re-parented to init, sparing background jobs started by earlier commands. Rounds of
# SIGSTOP then SIGKILL repeat until none is left, so forks during a scan cannot escape.
#
# With a third argument, the pid of root's launcher shell, the command's own shell (that pid's child) is spared, so
# that it reports what was killed and saves its state.
#
# Usage: __labgym_kill <agent uid> <age of the command in clock ticks> [launcher pid]
__labgym_kill() {
  local uid=$1 age=$2 launcher=$3 up now threshold d pid line status round
  local -a fields victims
  [[ $uid =~ ^[0-9]+$ && $age =~ ^[0-9]+$ ]] || return 1
  for round in {1..20}; do
    read -r up _ < /proc/uptime
    [[ $up =~ ^[0-9]+\.[0-9]+$ ]] || return 1
    now=$(( 10#${up%.*} * 100 + 10#${up#*.} ))
    threshold=$(( now - age ))
    victims=()
    for d in /proc/[0-9]*; do
      pid=${d#/proc/}
      [[ $pid == "$$" || $pid == 1 ]] && continue
      # Processes come and go during the scan: skip any whose files vanish or read short.
      line=
      read -r line 2>/dev/null < "$d/stat"
      fields=(${line##*) })
      [[ ${fields[0]} != Z && ${fields[19]} =~ ^[0-9]+$ ]] || continue
      (( fields[19] >= threshold )) || continue
      [[ -n $launcher && ${fields[1]} == "$launcher" ]] && continue
      # Only simple commands get redirections here: a redirected loop left early leaks a descriptor in bash 5.2.
      status=
      read -r -d '' status 2>/dev/null < "$d/status"
      [[ $status =~ $'\n'Uid:[[:space:]]+([0-9]+) && ${BASH_REMATCH[1]} == "$uid" ]] && victims+=("$pid")
    done
    (( ${#victims[@]} )) || return 0
    kill -STOP "${victims[@]}" 2>/dev/null
    kill -KILL "${victims[@]}" 2>/dev/null
  done
  return 0
}
