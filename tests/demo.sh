#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `./quickstart demo [--scenario NAME] [--namespaces N] [--duration S]`:
# eipam-sim (aws by default) plus eipamd from the build tree, the README's
# EgressIPAM and 20 namespaces, a live table as it converges, a node
# failure, and a clean stop on Ctrl-C or after --duration seconds.
cd "$(dirname "$0")/.." || exit 1
top_builddir=$(pwd) top_srcdir=$(pwd) exec /usr/bin/python3 tests/demo.py "$@"
