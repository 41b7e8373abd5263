# Sourced into the root control shell of every Docker sandbox: stops a timed-out command.
# Builtins only (no fork), so it still works when a fork bomb has used up the sandbox's process limit.
#
# Victims: every live process of the agent shell's user, other than the shell itself, that started after the
# command did (start time from /proc/<pid>/stat, in clock ticks of 10 ms). That covers children, grandchildren,
# daemons that left the shell's session and orphans re-parented to init, and spares background jobs started by
# earlier commands. Rounds of SIGSTOP then SIGKILL repeat until none is left, so forks during a scan cannot escape.
#
# Usage: __labgym_kill <shell pid> <age of the command in clock ticks>
__labgym_kill() {
  local shell=$1 age=$2 uid="" key value up now threshold d pid line round
  local -a fields victims
  while read -r key value _; do
    if [[ $key == Uid: ]]; then uid=$value; break; fi
  done < "/proc/$shell/status"
  [[ -n $uid ]] || return 1
  for round in {1..20}; do
    read -r up _ < /proc/uptime
    now=$(( 10#${up%.*} * 100 + 10#${up#*.} ))
    threshold=$(( now - age ))
    victims=()
    for d in /proc/[0-9]*; do
      pid=${d#/proc/}
      [[ $pid == "$shell" || $pid == "$$" || $pid == 1 ]] && continue
      read -r line < "$d/stat" 2>/dev/null || continue
      fields=(${line##*) })
      [[ ${fields[0]} == Z ]] && continue
      (( ${fields[19]} >= threshold )) || continue
      while read -r key value _; do
        if [[ $key == Uid: ]]; then [[ $value == "$uid" ]] && victims+=("$pid"); break; fi
      done < "$d/status" 2>/dev/null
    done
    (( ${#victims[@]} )) || return 0
    kill -STOP "${victims[@]}" 2>/dev/null
    kill -KILL "${victims[@]}" 2>/dev/null
  done
  return 0
}
