/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API request of each single-step write (see writer.h): pure, so
 * tests check every path, content type and patch body.  Merge patches
 * (RFC 7396) work on built-ins and custom resources alike; a
 * resourceVersion inside a merge patch is a precondition (409 when stale).
 */
#include <stdio.h>
#include <string.h>

#include "eip_proto.h"
#include "kclient.h"
#include "normalize.h"
#include "writer.h"

#define MERGE		"application/merge-patch+json"
#define A_EGRESSIPS	"egressip-ipam-operator.redhat-cop.io/egressips"
#define A_IPAM_LABEL	"egressip-ipam-operator.redhat-cop.io/egressipam"
#define A_ASSIGNABLE_BY	"egressip-ipam-operator.redhat-cop.io/egress-assignable-by"
#define L_ASSIGNABLE	"k8s.ovn.org/egress-assignable"

/* {"metadata":{"resourceVersion":rv}} merged into patch when rv is given. */
static json_t *
md_of(json_t *patch, const json_t *msg)
{
	json_t *md = json_object_get(patch, "metadata");
	const json_t *rv = json_object_get(msg, "rv");

	if (md == NULL) {
		md = json_object();
		json_object_set_new(patch, "metadata", md);
	}
	if (json_is_string(rv))
		json_object_set(md, "resourceVersion", (json_t *)rv);
	return md;
}

static void
set_path(struct wreq *r, enum wkind k, const char *name, const char *sub)
{
	char base[512];

	wkind_path(k, base, sizeof(base));
	snprintf(r->path, sizeof(r->path), "%s/%s%s", base, name,
	    sub ? sub : "");
	r->kind = k;
	snprintf(r->name, sizeof(r->name), "%s", name);
}

int
writer_build(uint16_t type, const json_t *msg, struct wreq *r, char *err,
    size_t errlen)
{
	const char *name = json_string_value(json_object_get(msg, "name"));
	json_t *p, *md;
	const json_t *v;

	memset(r, 0, sizeof(*r));
	r->kind = -1;
	if (name == NULL || !kclient_name_ok(name)) {
		snprintf(err, errlen, "invalid object name");
		return -1;
	}
	r->method = "PATCH";
	r->ctype = MERGE;
	p = json_object();
	switch (type) {
	case EIP_MSG_W_NS_EGRESSIPS:
		set_path(r, WK_NAMESPACE, name, NULL);
		md = md_of(p, msg);
		/* null removes the annotation. */
		json_object_set_new(md, "annotations", json_pack("{s:O}",
		    A_EGRESSIPS, json_object_get(msg, "egressips")));
		break;
	case EIP_MSG_W_NETNAMESPACE:
		set_path(r, WK_NETNAMESPACE, name, NULL);
		md_of(p, msg);
		json_object_set(p, "egressIPs", json_object_get(msg,
		    "egress_ips"));
		break;
	case EIP_MSG_W_HOSTSUBNET:
		set_path(r, WK_HOSTSUBNET, name, NULL);
		md_of(p, msg);
		json_object_set(p, "egressIPs", json_object_get(msg,
		    "egress_ips"));
		json_object_set(p, "egressCIDRs", json_object_get(msg,
		    "egress_cidrs"));
		break;
	case EIP_MSG_W_EGRESSIP:
		if (json_object_get(msg, "rv") != NULL) {
			set_path(r, WK_EGRESSIP, name, NULL);
			md_of(p, msg);
			json_object_set_new(p, "spec", json_pack("{s:O}",
			    "egressIPs", json_object_get(msg, "egress_ips")));
			break;
		}
		set_path(r, WK_EGRESSIP, name, NULL);
		wkind_path(WK_EGRESSIP, r->path, sizeof(r->path));
		r->method = "POST";
		r->ctype = "application/json";
		json_decref(p);
		/* Owned by the Namespace: garbage-collected with it. */
		p = json_pack("{s:s,s:s,s:{s:s,s:{s:O},s:[{s:s,s:s,s:O,s:O}]},"
		    "s:{s:O,s:{s:{s:O}}}}",
		    "apiVersion", "k8s.ovn.org/v1", "kind", "EgressIP",
		    "metadata", "name", name, "labels", A_IPAM_LABEL,
		    json_object_get(msg, "ipam"), "ownerReferences",
		    "apiVersion", "v1", "kind", "Namespace",
		    "name", json_object_get(msg, "namespace"),
		    "uid", json_object_get(msg, "namespace_uid"),
		    "spec", "egressIPs", json_object_get(msg, "egress_ips"),
		    "namespaceSelector", "matchLabels",
		    "kubernetes.io/metadata.name",
		    json_object_get(msg, "namespace"));
		break;
	case EIP_MSG_W_EGRESSIP_DELETE:
		set_path(r, WK_EGRESSIP, name, NULL);
		r->method = "DELETE";
		r->ctype = "application/json";
		json_decref(p);
		p = NULL;
		if ((v = json_object_get(msg, "uid")) != NULL)
			p = json_pack("{s:s,s:s,s:{s:O}}", "apiVersion", "v1",
			    "kind", "DeleteOptions", "preconditions", "uid", v);
		break;
	case EIP_MSG_W_NODE_ASSIGNABLE:
		/* The one label the operator may write on nodes, and its record. */
		set_path(r, WK_NODE, name, NULL);
		md = md_of(p, msg);
		if (json_is_true(json_object_get(msg, "assignable"))) {
			json_object_set_new(md, "labels", json_pack("{s:s}",
			    L_ASSIGNABLE, ""));
			json_object_set_new(md, "annotations", json_pack("{s:O}",
			    A_ASSIGNABLE_BY, json_object_get(msg, "ipam")));
		} else {
			json_object_set_new(md, "labels", json_pack("{s:n}",
			    L_ASSIGNABLE));
			json_object_set_new(md, "annotations", json_pack("{s:n}",
			    A_ASSIGNABLE_BY));
		}
		break;
	case EIP_MSG_W_IPAM_FINALIZERS:
		set_path(r, WK_EGRESSIPAM, name, NULL);
		md = md_of(p, msg);
		json_object_set(md, "finalizers", json_object_get(msg,
		    "finalizers"));
		break;
	case EIP_MSG_W_IPAM_STATUS:
		set_path(r, WK_EGRESSIPAM, name, "/status");
		md_of(p, msg);
		if (json_object_size(json_object_get(p, "metadata")) == 0)
			json_object_del(p, "metadata");
		json_object_set(p, "status", json_object_get(msg, "status"));
		break;
	default:
		json_decref(p);
		snprintf(err, errlen, "%s is not a single-step write",
		    eip_msg_name(type));
		return -1;
	}
	if (type != EIP_MSG_W_IPAM_STATUS && p != NULL &&
	    json_object_size(json_object_get(p, "metadata")) == 0)
		json_object_del(p, "metadata");
	r->body = p;
	return 0;
}
