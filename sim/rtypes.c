/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource types eipam-sim serves: names for discovery, scope, whether
 * a type behaves as a custom resource (strategic merge 415, PUT without
 * resourceVersion 422) and whether it has a status subresource.  Types
 * not marked always_served are served once their CRD exists.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

static const char *const ns_fields[] = { "status.phase", NULL };
static const char *const node_fields[] = { "spec.unschedulable", NULL };
static const char *const event_fields[] = {
	"involvedObject.kind", "involvedObject.namespace",
	"involvedObject.name", "involvedObject.uid",
	"involvedObject.apiVersion", "involvedObject.resourceVersion",
	"involvedObject.fieldPath", "reason", "reportingComponent",
	"source", "type", NULL
};
static const char *const ev2_fields[] = {
	"regarding.kind", "regarding.namespace", "regarding.name",
	"regarding.uid", "reason", "reportingController", "type", NULL
};
static const char *const secret_fields[] = { "type", NULL };

static const struct sim_rtype rtypes[] = {
	{ "", "v1", "namespaces", "namespace", "Namespace", 0, 0, 1, "ns",
	    ns_fields, 1 },
	{ "", "v1", "nodes", "node", "Node", 0, 0, 1, "no", node_fields, 1 },
	{ "", "v1", "events", "event", "Event", 1, 0, 0, "ev", event_fields,
	    1 },
	{ "", "v1", "configmaps", "configmap", "ConfigMap", 1, 0, 0, "cm",
	    NULL, 1 },
	{ "", "v1", "secrets", "secret", "Secret", 1, 0, 0, NULL,
	    secret_fields, 1 },
	{ "events.k8s.io", "v1", "events", "event", "Event", 1, 0, 0, "ev",
	    ev2_fields, 1 },
	{ "", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", 1,
	    0, 0, "sa", NULL, 1 },
	{ "coordination.k8s.io", "v1", "leases", "lease", "Lease", 1, 0, 0,
	    NULL, NULL, 1 },
	/* RBAC, so the operator's manifests can be applied and read back. */
	{ "rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole",
	    "ClusterRole", 0, 0, 0, NULL, NULL, 1 },
	{ "rbac.authorization.k8s.io", "v1", "clusterrolebindings",
	    "clusterrolebinding", "ClusterRoleBinding", 0, 0, 0, NULL, NULL, 1 },
	{ "rbac.authorization.k8s.io", "v1", "roles", "role", "Role", 1, 0, 0,
	    NULL, NULL, 1 },
	{ "rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding",
	    "RoleBinding", 1, 0, 0, NULL, NULL, 1 },
	{ "apiextensions.k8s.io", "v1", "customresourcedefinitions",
	    "customresourcedefinition", "CustomResourceDefinition", 0, 0, 1,
	    "crd,crds", NULL, 1 },
	{ "redhatcop.redhat.io", "v1alpha1", "egressipams", "egressipam",
	    "EgressIPAM", 0, 1, 1, NULL, NULL, 1 },
	{ "network.openshift.io", "v1", "hostsubnets", "hostsubnet",
	    "HostSubnet", 0, 1, 0, NULL, NULL, 0 },
	{ "network.openshift.io", "v1", "netnamespaces", "netnamespace",
	    "NetNamespace", 0, 1, 0, NULL, NULL, 0 },
	{ "k8s.ovn.org", "v1", "egressips", "egressip", "EgressIP", 0, 1, 0,
	    "eip", NULL, 0 },
	{ "config.openshift.io", "v1", "infrastructures", "infrastructure",
	    "Infrastructure", 0, 1, 1, NULL, NULL, 0 },
	{ "config.openshift.io", "v1", "networks", "network", "Network", 0, 1,
	    1, NULL, NULL, 0 },
	{ "cloudcredential.openshift.io", "v1", "credentialsrequests",
	    "credentialsrequest", "CredentialsRequest", 1, 1, 1, NULL, NULL,
	    0 },
	{ "machine.openshift.io", "v1beta1", "machines", "machine", "Machine",
	    1, 1, 1, NULL, NULL, 0 },
	{ "machine.openshift.io", "v1beta1", "machinesets", "machineset",
	    "MachineSet", 1, 1, 1, NULL, NULL, 0 },
};

#define NRTYPES	((int)(sizeof(rtypes) / sizeof(rtypes[0])))

int
rtype_count(void)
{
	return NRTYPES;
}

const struct sim_rtype *
rtype_get(int i)
{
	return i >= 0 && i < NRTYPES ? &rtypes[i] : NULL;
}

int
rtype_index(const struct sim_rtype *rt)
{
	return (int)(rt - rtypes);
}

const struct sim_rtype *
rtype_find(const char *group, const char *version, const char *plural)
{
	int i;

	for (i = 0; i < NRTYPES; i++) {
		if (strcmp(rtypes[i].group, group) == 0 &&
		    (version == NULL || strcmp(rtypes[i].version, version) == 0) &&
		    strcmp(rtypes[i].plural, plural) == 0)
			return &rtypes[i];
	}
	return NULL;
}

/* Core types win over events.k8s.io for the shared kind "Event". */
const struct sim_rtype *
rtype_by_kind(const char *kind)
{
	int i;

	for (i = 0; i < NRTYPES; i++)
		if (strcmp(rtypes[i].kind, kind) == 0)
			return &rtypes[i];
	return NULL;
}

const struct sim_rtype *
rtype_by_name(const char *name)
{
	char q[128];
	int i;

	for (i = 0; i < NRTYPES; i++) {
		rtype_qualified(&rtypes[i], q, sizeof(q));
		if (strcmp(rtypes[i].plural, name) == 0 || strcmp(q, name) == 0)
			return &rtypes[i];
	}
	return NULL;
}

void
rtype_qualified(const struct sim_rtype *rt, char *buf, size_t len)
{
	if (rt->group[0] == '\0')
		snprintf(buf, len, "%s", rt->plural);
	else
		snprintf(buf, len, "%s.%s", rt->plural, rt->group);
}

char *
rtype_api_version(const struct sim_rtype *rt, char *buf, size_t len)
{
	if (rt->group[0] == '\0')
		snprintf(buf, len, "%s", rt->version);
	else
		snprintf(buf, len, "%s/%s", rt->group, rt->version);
	return buf;
}
