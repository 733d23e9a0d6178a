# SPDX-License-Identifier: Apache-2.0
# A discovery-only stand-in for kube-apiserver, so that "kubectl apply
# --dry-run=client" can run offline: kubectl needs discovery to map each
# kind to a resource (and its scope) and GETs each object to choose between
# create and patch.  It serves the real group/version/resource table of the
# kinds deploy/ uses (no more: an unknown kind or apiVersion must fail) and
# answers every object GET with 404.  127.0.0.1 only; port 0.
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# group/version -> [(resource, kind, namespaced)]
RESOURCES = {
    "v1": [("namespaces", "Namespace", False), ("serviceaccounts", "ServiceAccount", True),
           ("services", "Service", True), ("configmaps", "ConfigMap", True),
           ("nodes", "Node", False), ("events", "Event", True), ("pods", "Pod", True)],
    "apps/v1": [("deployments", "Deployment", True)],
    "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                     ("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "apiextensions.k8s.io/v1": [("customresourcedefinitions", "CustomResourceDefinition", False)],
    "networking.k8s.io/v1": [("networkpolicies", "NetworkPolicy", True)],
    "coordination.k8s.io/v1": [("leases", "Lease", True)],
    "monitoring.coreos.com/v1": [("servicemonitors", "ServiceMonitor", True),
                                 ("prometheusrules", "PrometheusRule", True)],
    "operators.coreos.com/v1": [("operatorgroups", "OperatorGroup", True)],
    "operators.coreos.com/v1alpha1": [("subscriptions", "Subscription", True),
                                      ("clusterserviceversions", "ClusterServiceVersion", True),
                                      ("catalogsources", "CatalogSource", True)],
    "cloudcredential.openshift.io/v1": [("credentialsrequests", "CredentialsRequest", True)],
    "cert-manager.io/v1": [("issuers", "Issuer", True), ("certificates", "Certificate", True)],
    "redhatcop.redhat.io/v1alpha1": [("egressipams", "EgressIPAM", False)],
}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def _resource_list(gv):
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": [{"name": r, "singularName": "", "namespaced": ns, "kind": k, "verbs": VERBS}
                          for r, k, ns in RESOURCES[gv]]}


def _groups():
    by = {}
    for gv in RESOURCES:
        if "/" in gv:
            g, v = gv.split("/")
            by.setdefault(g, []).append(v)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": g, "versions": [{"groupVersion": g + "/" + v, "version": v} for v in vs],
         "preferredVersion": {"groupVersion": g + "/" + vs[-1], "version": vs[-1]}}
        for g, vs in by.items()]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log = None

    def log_message(self, *args):
        pass

    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        if self.log is not None:
            self.log.append(path)
        if path == "/version":
            return self._send(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0",
                                    "platform": "linux/amd64"})
        if path == "/api":
            return self._send(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": []})
        if path == "/apis":
            return self._send(200, _groups())
        if path == "/api/v1":
            return self._send(200, _resource_list("v1"))
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "apis" and parts[2] + "/" + parts[3] in RESOURCES:
            return self._send(200, _resource_list(parts[2] + "/" + parts[3]))
        return self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                "message": "not found", "reason": "NotFound", "code": 404})


class StubApiServer:
    def __init__(self):
        self.requests = []
        handler = type("H", (_Handler,), {"log": self.requests})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
