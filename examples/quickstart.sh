#!/usr/bin/env bash
# A first session with htrac in a fresh git repository: the loop an agent lives in
# (ready → claim → discuss → done), a dependency between items, and the op log git merges.
set -euo pipefail
repo=$(mktemp -d "${TMPDIR:-/tmp}/htrac-quickstart.XXXXXX")
cd "$repo"
git init -q
run() { printf '\n$ %s\n' "$*"; "$@"; }
run htrac init
release=$(htrac add --kind work_item --title "Ship the release" --tag release)
run htrac add --kind work_item --title "Write the parser" --priority 1 --isbefore "$release"
run htrac ready                                  # the parser: the release waits for it
run htrac ready --claim                          # claims it for this session: it is :1
run htrac discuss :1 "Parser skeleton is in; tests next."
run htrac update :1 --status done                 # done ends the claim
run htrac ready                                  # now the release is ready
run htrac show :1
run htrac log :1
echo
echo "quick start finished in $repo"
