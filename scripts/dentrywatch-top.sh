#!/usr/bin/env bash
# dentrywatch-top.sh: where the node's negative dentries come from, live, like top(1): the exporter's
# /sources table (containers and directories, the fastest first), refreshed every few seconds and cut to
# the terminal. Run it on the node (or anywhere the exporter's port is reachable).
#
#   scripts/dentrywatch-top.sh [-n SECONDS] [-u URL] [-1]
#     -n SECONDS  refresh interval (default 2)
#     -u URL      the exporter (default $DENTRYWATCH_URL or http://localhost:9090)
#     -1          print the table once and exit (no screen handling)
#   keys: q quits, any other key refreshes now
#
# The exporter must run with NEGATIVE_SOURCES=K (1-100) in fentry or kprobe mode; otherwise the table says why
# there are no sources. Needs curl.
set -uo pipefail

url=${DENTRYWATCH_URL:-http://localhost:9090}
interval=2
once=0
while getopts "n:u:1h" opt; do
  case $opt in
    n) interval=$OPTARG ;;
    u) url=$OPTARG ;;
    1) once=1 ;;
    h) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [-n SECONDS] [-u URL] [-1]" >&2; exit 2 ;;
  esac
done
[[ $interval =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "dentrywatch-top: -n takes seconds, not '$interval'" >&2; exit 2; }
command -v curl >/dev/null || { echo "dentrywatch-top: curl not found (apt-get install curl)" >&2; exit 1; }

fetch() { # $1 rows, $2 columns
  local body
  if ! body=$(curl -fsS --max-time 5 "${url%/}/sources?limit=$1&width=$2" 2>&1); then
    body="dentrywatch-top: cannot read ${url%/}/sources: $body"$'\n'"(is the exporter running? -u URL points elsewhere)"
  fi
  printf '%s\n' "$body"
}

if ((once)); then
  fetch 50 0
  exit 0
fi

[[ -t 1 ]] || { echo "dentrywatch-top: not a terminal; use -1 to print once" >&2; exit 2; }
restore() { tput cnorm 2>/dev/null; tput rmcup 2>/dev/null; stty echo 2>/dev/null; }
trap restore EXIT
trap 'exit 0' INT TERM
tput smcup 2>/dev/null; tput civis 2>/dev/null; stty -echo 2>/dev/null
while :; do
  lines=$(tput lines 2>/dev/null || echo 24)
  cols=$(tput cols 2>/dev/null || echo 80)
  rows=$((lines - 6)); ((rows < 1)) && rows=1
  screen=$(fetch "$rows" "$cols" | head -n $((lines - 1)) | cut -c "1-$cols")
  tput home 2>/dev/null; tput ed 2>/dev/null
  printf '%s\n' "$screen"
  printf '%s' "$(date +%T)  every ${interval}s from ${url%/}/sources   q: quit" | cut -c "1-$cols" | tr -d '\n'
  if read -rsn1 -t "$interval" key; then
    [[ $key == q || $key == Q ]] && exit 0
  fi
done
