#!/usr/bin/env bash
# Usage: infra/fuzz.sh FUZZTIME MINIMIZETIME TARGET...
# Runs each fuzz target of ./digest for FUZZTIME. Go 1.26's fuzzing
# coordinator can fail a target with a bare "context deadline exceeded"
# when -fuzztime runs out while a worker is mid-call (go.dev/issue/75804,
# fixed in Go 1.27): nothing failed and no input was written. A run that
# ends that way, and only that way, is run once more; a failing input, a
# panic or a second such ending fails.
set -euo pipefail
fuzztime=$1 minimizetime=$2
shift 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in "$@"; do
	for try in 1 2; do
		if ${GO:-go} test ./digest -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -fuzzminimizetime="$minimizetime" 2>&1 | tee "$log"; then
			break
		fi
		if [[ $try == 1 ]] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written' "$log"; then
			echo "fuzz: $target ended on the coordinator's deadline race (go.dev/issue/75804), nothing found; running it once more"
			continue
		fi
		exit 1
	done
done
