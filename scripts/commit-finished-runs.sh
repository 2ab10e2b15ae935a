#!/usr/bin/env bash
# Commit the light files of every finished run under a published study folder, so a lost
# machine loses at most the runs in progress. Checkpoints, policies and logs are git-ignored
# there (see .gitignore), so `git add` of a run dir takes config, meta, status, evaluations
# and episodes only. Commits only these paths, whatever else is staged.
#   bash scripts/commit-finished-runs.sh runs/results/prior-regime
set -euo pipefail
study="${1:?usage: commit-finished-runs.sh <study dir under runs/results>}"
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
paths=()
while IFS= read -r status; do
  if grep -q '"state": "finished"' "$status"; then paths+=("$(dirname "$status")"); fi
done < <(find "$study" -name status.json | sort)
[ -f "$study/sweep.json" ] && paths+=("$study/sweep.json")
[ ${#paths[@]} -eq 0 ] && { echo "no finished runs under $study"; exit 0; }
git add -- "${paths[@]}"
if git diff --cached --quiet -- "${paths[@]}"; then echo "nothing new to commit under $study"; exit 0; fi
n=$(git diff --cached --name-only -- "${paths[@]}" | grep -c '/status.json$' || true)
if [ "$n" -eq 0 ]; then msg="$(basename "$study"): sweep manifest (runs in progress)"; else msg="$(basename "$study"): light files of $n newly finished run(s)"; fi
git commit -q -m "$msg" -- "${paths[@]}"
git log --oneline -1
