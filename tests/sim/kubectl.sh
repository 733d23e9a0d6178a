#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fidelity of eipam-sim against kubectl (a client nobody here wrote), run
# with a throwaway HOME so no discovery cache hides a discovery bug.
. "${top_srcdir:-.}/tests/sim/sim_lib.sh"

if ! command -v kubectl >/dev/null 2>&1; then
	echo "1..0 # SKIP kubectl not installed"
	exit 0
fi
echo "1..23"
sim_start --scenario baremetal
trap sim_cleanup EXIT
K="kubectl --request-timeout=20s"

out=$($K get ns 2>&1)
echo "$out" | grep -q '^default ' && echo "$out" | grep -q '^egressip-ipam-operator '
ok $? "kubectl get ns"

n=$($K get nodes -l node-role.kubernetes.io/worker -o name 2>&1 | wc -l)
[ "$n" = 3 ]
ok $? "get nodes with a label selector (3 workers, got $n)"

n=$($K get nodes --field-selector metadata.name=master-0 -o name 2>&1)
[ "$n" = "node/master-0" ]
ok $? "get nodes with a field selector"

$K get hostsubnet worker-0 -o jsonpath='{.hostIP}' 2>&1 | grep -q '^192\.169\.0\.'
ok $? "HostSubnet per node with the node's InternalIP"

$K apply --validate=false -f "$top_srcdir/deploy/crd/redhatcop.redhat.io_egressipams.yaml" >/dev/null 2>&1
ok $? "kubectl apply of the project's CRD"

$K apply --validate=false -f "$STATE/egressipam.yaml" >/dev/null 2>&1 &&
    $K get egressipam example-egressipam -o jsonpath='{.spec.cidrAssignments[0].reservedIPs[0]}' | grep -q '^192\.159\.0\.5$'
ok $? "kubectl apply of the scenario's EgressIPAM (README example)"

$K apply --validate=false -f "$STATE/egressipam.yaml" 2>&1 | grep -q unchanged
ok $? "a second apply is unchanged"

$K create ns team-a >/dev/null 2>&1 &&
    $K annotate ns team-a egressip-ipam-operator.redhat-cop.io/egressipam=example-egressipam >/dev/null 2>&1 &&
    $K get ns team-a -o jsonpath='{.metadata.annotations.egressip-ipam-operator\.redhat-cop\.io/egressipam}' | grep -q '^example-egressipam$'
ok $? "create and annotate a namespace"

$K get ns team-a -o jsonpath='{.metadata.labels.kubernetes\.io/metadata\.name}' | grep -q '^team-a$'
ok $? "namespaces carry kubernetes.io/metadata.name"

wait_for 50 $K get netnamespace team-a
ok $? "a NetNamespace follows the Namespace"

$K label node worker-0 egress=yes >/dev/null 2>&1 &&
    [ "$($K get nodes -l egress=yes -o name)" = "node/worker-0" ]
ok $? "kubectl label"

$K patch egressipam example-egressipam --type=merge -p '{"spec":{"topologyLabel":"zone"}}' >/dev/null 2>&1 &&
    [ "$($K get egressipam example-egressipam -o jsonpath='{.metadata.generation}')" = 2 ]
ok $? "patch --type=merge bumps the generation"

$K patch egressipam example-egressipam --type=json \
    -p '[{"op":"replace","path":"/spec/topologyLabel","value":"egressGateway"},{"op":"test","path":"/spec/topologyLabel","value":"egressGateway"}]' >/dev/null 2>&1 &&
    [ "$($K get egressipam example-egressipam -o jsonpath='{.spec.topologyLabel}')" = egressGateway ]
ok $? "patch --type=json"

out=$($K patch egressipam example-egressipam -p '{"spec":{"topologyLabel":"x"}}' 2>&1)
echo "$out" | grep -q 'UnsupportedMediaType\|unknown format\|415'
ok $? "strategic merge on a custom resource is refused"

$K patch node worker-1 -p '{"metadata":{"labels":{"s":"t"}}}' >/dev/null 2>&1 &&
    [ "$($K get node worker-1 -o jsonpath='{.metadata.labels.s}')" = t ]
ok $? "strategic merge on a built-in kind"

(sleep 1; $K create configmap watched -n team-a --from-literal=a=b >/dev/null 2>&1) &
bg=$!
out=$($K get configmaps -n team-a -w --output-watch-events --request-timeout=3s 2>&1)
wait $bg
echo "$out" | grep -q 'ADDED.*watched'
ok $? "get -w sees a change and ends at the request timeout"

KUBECONFIG=$STATE/kubeconfig-readonly $K create ns forbidden 2>&1 | grep -q 'Forbidden\|forbidden'
ok $? "the read-only token gets 403 on writes"

$K delete ns team-a --wait=false >/dev/null 2>&1 &&
    wait_for 50 sh -c "! $K get ns team-a >/dev/null 2>&1" &&
    ! $K get netnamespace team-a >/dev/null 2>&1
ok $? "delete a namespace: it and its NetNamespace go"

"$SIM_BIN" ctl --state-dir "$STATE" node-ready worker-2 False >/dev/null &&
    $K get node worker-2 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -q '^False$'
ok $? "ctl node-ready drives the node's Ready condition"

cat >"$SIM_DIR/scn.json" <<'JSON'
{"platform": "BareMetal", "networkType": "OVNKubernetes",
 "zones": [{"name": "z1", "cidr": "10.9.0.0/24"}],
 "nodes": [{"name": "edge-1", "role": "worker", "zone": "z1", "ip": "10.9.0.7"}],
 "objects": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "from-file"}}]}
JSON
"$SIM_BIN" ctl --state-dir "$STATE" scenario "$SIM_DIR/scn.json" >/dev/null &&
    [ "$($K get nodes -o name)" = "node/edge-1" ] &&
    $K get ns from-file >/dev/null 2>&1 &&
    $K get node edge-1 -o jsonpath='{.status.addresses[0].address}' | grep -q '^10\.9\.0\.7$' &&
    ! $K get hostsubnets >/dev/null 2>&1 &&
    grep -q -- '--network-type=OVNKubernetes' "$STATE/eipamd.flags"
ok $? "ctl scenario FILE replaces the cluster (OVN: no HostSubnets)"

sim_stop
[ "$SIM_RC" = 0 ]
ok $? "SIGTERM exits 0"
rm -rf "$SIM_DIR"

sim_start --scenario aws --nodes 7
n=$($K get nodes -l node-role.kubernetes.io/worker -o name | wc -l)
types=$($K get nodes -l node-role.kubernetes.io/worker -o jsonpath='{.items[*].metadata.labels.node\.kubernetes\.io/instance-type}' | tr ' ' '\n' | sort -u | wc -l)
[ "$n" = 7 ] && [ "$types" -ge 2 ] &&
    $K get nodes -l '!node-role.kubernetes.io/worker' -o name | grep -q master
ok $? "--nodes 7 scales the aws scenario's workers (mixed types, masters kept)"

grep -q -- '--aws-ec2-endpoint=https://127.0.0.1:' "$STATE/eipamd.flags" &&
    grep -q -- '--ca-bundle=' "$STATE/eipamd.flags" &&
    grep -q 'egressipam-aws' "$STATE/egressipam.yaml"
ok $? "aws scenario files: eipamd.flags with cloud endpoints, egressipam.yaml"
sim_stop
exit $FAILED
