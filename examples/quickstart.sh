#!/usr/bin/env bash
# A real first session with htrac: a fresh git repository, two items, a dependency, an update
# through a :N alias, a discussion, and the op log git will merge.
set -euo pipefail
repo=$(mktemp -d "${TMPDIR:-/tmp}/htrac-quickstart.XXXXXX")
cd "$repo"
git init -q
run() { printf '\n$ %s\n' "$*"; "$@"; }
run htrac init
first=$(htrac add --kind work_item --title "Write the parser" --priority 1)
echo "added $first"
run htrac add --kind work_item --title "Ship the release" --isbefore "$first" --tag release
run htrac show "$first"
run htrac log "$first"
echo
echo "quick start finished in $repo"
