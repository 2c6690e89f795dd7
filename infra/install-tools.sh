#!/usr/bin/env bash
# Installs what the tests need, once and idempotently: pinned Go tools into
# .tools/bin, the npm stand-ins into infra/npm/node_modules and Debian's
# Chromium. `make test` runs it; so does CI, on a
# fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$PWD/.tools/bin"
mkdir -p "$tools"

# go_tool NAME MODULE@VERSION: installs the pinned version unless that
# version is already there (a stamp file records it).
go_tool() {
	local name=$1 module=$2
	local stamp="$tools/.$name-${module##*@}"
	if [[ -x "$tools/$name" && -f "$stamp" ]]; then
		return
	fi
	echo "installing $module"
	GOBIN="$tools" go install "$module"
	rm -f "$tools/.$name-"*
	touch "$stamp"
}

go_tool staticcheck honnef.co/go/tools/cmd/staticcheck@v0.8.2
go_tool mailpit github.com/axllent/mailpit@v1.33.1
go_tool aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d

# The npm stand-ins (dynalite, aws-ses-v2-local), pinned by package-lock.json.
if [[ ! -d infra/npm/node_modules || infra/npm/package-lock.json -nt infra/npm/node_modules ]]; then
	echo "installing the npm stand-ins"
	npm ci --prefix infra/npm --no-audit --no-fund --loglevel=error
	touch infra/npm/node_modules
fi

if ! command -v chromium >/dev/null 2>&1; then
	echo "installing Debian's chromium"
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then
		sudo="sudo"
	fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
