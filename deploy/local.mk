# SPDX-License-Identifier: Apache-2.0
# deploy/: manifests, Helm chart, OLM bundle, Containerfile.  Nothing is
# built here; tests/deploy checks them (yamllint, kubectl client dry-run,
# the CRD schema with python3-jsonschema, RBAC, promtool, Helm, bundle).
DEPLOY_TESTS = \
	tests/deploy/yamllint.sh \
	tests/deploy/kubectl_dryrun.py \
	tests/deploy/crd_schema.py \
	tests/deploy/rbac.py \
	tests/deploy/promtool.sh \
	tests/deploy/helm.py \
	tests/deploy/bundle.py \
	tests/deploy/sim_apply.py \
	tests/deploy/rootfs.sh
TESTS += $(DEPLOY_TESTS)
EXTRA_DIST += $(DEPLOY_TESTS) tests/deploy/deploylib.py tests/deploy/stub_apiserver.py \
	tests/deploy/dashboard.py tests/deploy/minihelm.py tests/deploy/fixtures deploy \
	doc/DEPLOY.md
