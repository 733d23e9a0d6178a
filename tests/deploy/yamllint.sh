#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# yamllint over deploy/ with deploy/.yamllint (Helm templates excluded: they
# are not YAML until rendered).  One TAP line per file, so a failure names it.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$top_srcdir" || exit 1
if ! command -v yamllint >/dev/null 2>&1; then
	echo "1..0 # SKIP yamllint not installed"
	exit 0
fi
n=0 fail=0
files=$(find deploy -name '*.yaml' -o -name '*.yml' -o -name .yamllint | sort)
for f in $files; do
	n=$((n + 1))
	case $f in
	deploy/helm/*/templates/*)
		echo "ok $n - $f # SKIP Helm template"
		continue ;;
	esac
	if out=$(yamllint -f parsable -c deploy/.yamllint "$f" 2>&1) && [ -z "$out" ]; then
		echo "ok $n - yamllint $f"
	else
		fail=$((fail + 1))
		echo "not ok $n - yamllint $f"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
# A broken file must be reported, or the loop above proves nothing.
n=$((n + 1))
tmp=$(mktemp -d)
printf 'a: 1\na: 2\nb:  [x ,y]\n' > "$tmp/bad.yaml"
if yamllint -c deploy/.yamllint "$tmp/bad.yaml" >/dev/null 2>&1; then
	fail=$((fail + 1))
	echo "not ok $n - yamllint rejects a duplicate key"
else
	echo "ok $n - yamllint rejects a duplicate key"
fi
rm -rf "$tmp"
echo "1..$n"
[ "$fail" -eq 0 ]
