# SPDX-License-Identifier: Apache-2.0
dist_man_MANS += doc/eipamd.8 doc/eipamctl.8
EXTRA_DIST += doc/ARCHITECTURE.md doc/PROCESSES.md doc/PERFORMANCE.md
