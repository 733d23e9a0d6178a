#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the runtime root filesystem of the operator image from a
# "make install DESTDIR=STAGE" tree: the six operator programs, exactly the
# shared libraries ldd says they load (with the dynamic loader, at their
# real paths), the CA bundle for the cloud APIs, and passwd/group entries
# for UID 65532.  No shell, no package manager, no simulator.  The
# Containerfile runs it in its build stage; tests/deploy/rootfs.sh runs it
# on the build tree and starts every program in the result with chroot.
# usage: rootfs.sh STAGE ROOTFS
set -eu
stage=$1 root=$2
bins="usr/bin/eipamd usr/bin/eipamctl"
workers="eipam-watcher eipam-allocator eipam-cloudworker eipam-metricsd"
mkdir -p "$root/usr/bin" "$root/usr/libexec/eipam" "$root/etc/ssl/certs" "$root/tmp"
for b in $bins; do
	install -m 0755 "$stage/$b" "$root/$b"
done
for w in $workers; do
	install -m 0755 "$stage/usr/libexec/eipam/$w" "$root/usr/libexec/eipam/$w"
done
# Debug sections are never loaded; strip them to keep the image small.
if command -v strip >/dev/null 2>&1; then
	strip --strip-unneeded "$root"/usr/bin/* "$root"/usr/libexec/eipam/*
fi
# Every library (and the loader) any of the programs needs.  ldd prints
# "name => /path (addr)" for libraries and "/path (addr)" for the loader.
libs=$(for f in "$root"/usr/bin/* "$root"/usr/libexec/eipam/*; do
	ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u)
for l in $libs; do
	mkdir -p "$root$(dirname "$l")"
	cp -L "$l" "$root$l"
done
# Cloud endpoints are verified against the system CA bundle (libcurl's
# compiled-in default path on Debian); the cluster CA comes from the
# service-account mount.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi
echo "nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin" > "$root/etc/passwd"
echo "nonroot:x:65532:" > "$root/etc/group"
chmod 1777 "$root/tmp"
echo "rootfs: $(echo "$libs" | wc -w) libraries, $(du -sk "$root" | cut -f1) KiB"
