#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The image's runtime stage without a container engine: deploy/rootfs.sh
# turns the built programs into the image's root filesystem, and every
# program must then load all its libraries and run as UID 65532 under
# chroot (which needs root; skipped otherwise).  Also checks the
# Containerfile's promises (scratch runtime, USER 65532, eipamd entrypoint,
# configure paths) against the Deployment.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
n=0 fail=0
ok() {	# condition-status name [diagnostics]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
}
cf=$top_srcdir/deploy/Containerfile
last_from=$(grep '^FROM ' "$cf" | tail -n 1)
[ "$last_from" = "FROM scratch" ]; ok $? "Containerfile: the runtime stage is scratch" "$last_from"
grep -q '^USER 65532:65532$' "$cf"; ok $? "Containerfile: USER 65532"
grep -q '^ENTRYPOINT \["/usr/bin/eipamd"\]$' "$cf" &&
    grep -q -- '- /usr/bin/eipamd$' "$top_srcdir/deploy/manager/manager.yaml"
ok $? "Containerfile entrypoint and the Deployment's command are /usr/bin/eipamd"
grep -q -- './configure --prefix=/usr --libexecdir=/usr/libexec/eipam' "$cf" &&
    grep -q 'make install DESTDIR=/stage' "$cf" && grep -q 'deploy/rootfs.sh /stage /rootfs' "$cf"
ok $? "Containerfile: configure --prefix=/usr --libexecdir=/usr/libexec/eipam, make install, rootfs.sh"

progs="eipamd eipamctl eipam-watcher eipam-allocator eipam-cloudworker eipam-metricsd"
for p in $progs; do
	if [ ! -x "$top_builddir/$p" ]; then
		echo "# $p not built"
		echo "1..$n"
		[ "$fail" -eq 0 ]
		exit
	fi
done
if [ "$(id -u)" != 0 ] || ! command -v chroot >/dev/null 2>&1; then
	echo "ok $((n + 1)) - chroot checks # SKIP need root and chroot"
	echo "1..$((n + 1))"
	[ "$fail" -eq 0 ]
	exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/stage/usr/bin" "$tmp/stage/usr/libexec/eipam"
cp "$top_builddir/eipamd" "$top_builddir/eipamctl" "$tmp/stage/usr/bin/"
for w in eipam-watcher eipam-allocator eipam-cloudworker eipam-metricsd; do
	cp "$top_builddir/$w" "$tmp/stage/usr/libexec/eipam/"
done
# A stray program in the stage must not reach the image.
cp "$top_builddir/eipamctl" "$tmp/stage/usr/bin/eipam-sim"
out=$(sh "$top_srcdir/deploy/rootfs.sh" "$tmp/stage" "$tmp/root" 2>&1); ok $? "deploy/rootfs.sh builds the root filesystem" "$out"
echo "# $out"
root=$tmp/root
progs_in=$(cd "$root" && find usr/bin usr/libexec -type f | sort | tr '\n' ' ')
[ "$progs_in" = "usr/bin/eipamctl usr/bin/eipamd usr/libexec/eipam/eipam-allocator usr/libexec/eipam/eipam-cloudworker usr/libexec/eipam/eipam-metricsd usr/libexec/eipam/eipam-watcher " ]
ok $? "exactly the six operator programs (no simulator)" "$progs_in"
[ ! -e "$root/bin/sh" ] && [ ! -e "$root/usr/bin/sh" ]; ok $? "no shell in the image"
interp=$(readelf -l "$root/usr/bin/eipamd" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
for f in usr/bin/eipamd usr/bin/eipamctl usr/libexec/eipam/eipam-watcher usr/libexec/eipam/eipam-allocator \
    usr/libexec/eipam/eipam-cloudworker usr/libexec/eipam/eipam-metricsd; do
	out=$(chroot "$root" "$interp" --list "/$f" 2>&1)
	rc=$?
	case $out in *"not found"* | *"error while loading"*) rc=1 ;; esac
	ok $rc "/$f finds every shared library in the image" "$out"
	# Workers answer --help with their usage and a non-zero status; what
	# matters is that the program ran (the loader fails with 127).
	out=$(chroot --userspec=65532:65532 "$root" "/$f" --help 2>&1)
	case $out in *usage*) rc=0 ;; *) rc=1 ;; esac
	ok $rc "/$f runs as UID 65532 (--help prints its usage)" "$out"
done
# Without the loader's help a missing library must show: remove one.
victim=$(find "$root" -name 'libjansson.so.*' | head -n 1)
rm -f "$victim"
out=$(chroot "$root" "$interp" --list /usr/bin/eipamd 2>&1)
case $out in *"not found"* | *"error while loading"*) rc=0 ;; *) rc=1 ;; esac
ok $rc "a missing library is detected" "$out"
echo "1..$n"
[ "$fail" -eq 0 ]
