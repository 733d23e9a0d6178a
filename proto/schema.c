/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The schema of every message body (see eip_proto.h for the table format
 * and proto/SCHEMA.md for the meaning of each field).  A change here is a
 * protocol change: bump EIP_PROTO_VERSION.
 */
#include <stddef.h>

#include "eip_proto.h"

#define NAME_MAX_LEN	253
#define STR(n, f, max)		{ n, EIP_T_STR, f, 0, max, NULL, NULL }
#define INT(n, f, lo, hi)	{ n, EIP_T_INT, f, lo, hi, NULL, NULL }
#define BOOL(n, f)		{ n, EIP_T_BOOL, f, 0, 0, NULL, NULL }
#define IP(n, f)		{ n, EIP_T_IP, f, 0, 0, NULL, NULL }
#define CIDR(n, f)		{ n, EIP_T_CIDR, f, 0, 0, NULL, NULL }
#define ENUM(n, f, e)		{ n, EIP_T_ENUM, f, 0, 0, NULL, e }
#define STRLIST(n, f, items, len) { n, EIP_T_STRLIST, f, len, items, NULL, NULL }
#define IPLIST(n, f, items)	{ n, EIP_T_IPLIST, f, 0, items, NULL, NULL }
#define CIDRLIST(n, f, items)	{ n, EIP_T_CIDRLIST, f, 0, items, NULL, NULL }
#define STRMAP(n, f, items, len) { n, EIP_T_STRMAP, f, len, items, NULL, NULL }
#define OBJ(n, f, s)		{ n, EIP_T_OBJ, f, 0, 0, s, NULL }
#define OBJLIST(n, f, items, s)	{ n, EIP_T_OBJLIST, f, 0, items, s, NULL }
#define ANY(n, f)		{ n, EIP_T_JSON, f, 0, 0, NULL, NULL }
#define END			{ NULL, 0, 0, 0, 0, NULL, NULL }

#define R	EIP_REQ
#define N	EIP_NULL

static const char *const e_roles[] = {
	"supervisor", "watcher", "allocator", "cloudworker", "metricsd",
	"ctl", NULL
};
static const char *const e_levels[] = {
	"error", "warn", "info", "debug", "trace", NULL
};
static const char *const e_formats[] = { "text", "json", NULL };
static const char *const e_sandbox[] = {
	"enforce", "trap", "log", "off", NULL
};
static const char *const e_kinds[] = {
	"Namespace", "Node", "EgressIPAM", "HostSubnet", "NetNamespace",
	"EgressIP", "Infrastructure", "Network", NULL
};
static const char *const e_ready[] = { "True", "False", "Unknown", NULL };
static const char *const e_evtype[] = { "Normal", "Warning", NULL };
static const char *const e_platform[] = { "AWS", "Azure", NULL };
static const char *const e_lbmode[] = { "same-as-primary-ip", "none", NULL };
static const char *const e_cloudclass[] = {
	"ok", "limit_exceeded", "address_in_use", "not_found",
	"auth_failure", "throttled", "transient", "invalid", NULL
};
static const char *const e_dir[] = { "in", "out", NULL };
static const char *const e_debug[] = {
	"dump", "log-level", "trace", "explain", "plan", "metrics", NULL
};

/* 1xx: lifeline */
static const struct eip_field s_boot[] = {
	ENUM("role", R, e_roles),
	INT("instance", R, 0, 1000),
	STR("run_dir", R, 4096),
	ENUM("log_level", R, e_levels),
	ENUM("log_format", R, e_formats),
	ENUM("sandbox", R, e_sandbox),
	BOOL("debug_attachable", R),
	INT("heartbeat_ms", R, 10, 60000),
	ANY("config", R),
	END
};
static const struct eip_field s_ready[] = {
	INT("pid", R, 1, 1LL << 31),
	INT("proto", R, 1, 65535),
	END
};
static const struct eip_field s_heartbeat[] = {
	INT("seq", R, 0, 1LL << 62),
	STR("state", 0, 64),
	ANY("detail", 0),
	END
};
static const struct eip_field s_set_log_level[] = {
	ENUM("level", R, e_levels),
	END
};
static const struct eip_field s_proc[] = {
	ENUM("role", R, e_roles),
	INT("instance", R, 0, 1000),
	INT("pid", R, 0, 1LL << 31),
	BOOL("up", R),
	BOOL("ready", R),
	INT("restarts", R, 0, 1LL << 40),
	INT("rss_bytes", 0, 0, 1LL << 50),
	INT("cpu_ms", 0, 0, 1LL << 50),
	INT("fds", 0, 0, 1 << 24),
	ANY("metrics", 0),
	END
};
static const struct eip_field s_proc_stats[] = {
	OBJLIST("procs", R, 64, s_proc),
	END
};

/* 2xx: watcher <-> allocator */
static const struct eip_field s_hello[] = {
	ENUM("role", R, e_roles),
	STR("instance", R, 64),
	INT("pid", R, 1, 1LL << 31),
	INT("proto", R, 1, 65535),
	END
};
static const struct eip_field s_ping[] = {
	INT("seq", R, 0, 1LL << 62),
	END
};
static const struct eip_field s_empty[] = { END };

#define META							\
	STR("name", R, NAME_MAX_LEN),				\
	STR("uid", 0, 64),					\
	STR("rv", R, 64),					\
	BOOL("deleting", 0),					\
	STR("error", 0, 1024)

static const struct eip_field s_obj_namespace[] = {
	META,
	STR("egressipam", N, 253),
	STR("egressips", N, 4096),
	STR("created", 0, 64),
	END
};
static const struct eip_field s_ovn_ipconfig[] = {
	STR("interface", 0, 128),
	STR("ifaddr_v4", 0, 64),
	STR("ifaddr_v6", 0, 64),
	INT("capacity_v4", 0, -1, 1 << 20),
	INT("capacity_v6", 0, -1, 1 << 20),
	INT("capacity_ip", 0, -1, 1 << 20),
	END
};
static const struct eip_field s_obj_node[] = {
	META,
	STRMAP("labels", R, 512, 1024),
	ENUM("ready", R, e_ready),
	STR("provider_id", 0, 512),
	STR("internal_ip", 0, 64),
	INT("capacity", 0, 0, 1 << 20),
	OBJLIST("egress_ipconfig", 0, 16, s_ovn_ipconfig),
	STR("assignable_by", 0, 253),
	STR("machine", 0, 512),
	END
};
static const struct eip_field s_cidr_assignment[] = {
	STR("CIDR", R, 64),
	STR("labelValue", R, 1024),
	STRLIST("reservedIPs", 0, 65536, 64),
	END
};
static const struct eip_field s_match_expr[] = {
	STR("key", R, 317),
	STR("operator", R, 32),
	STRLIST("values", 0, 1024, 1024),
	END
};
static const struct eip_field s_selector[] = {
	STRMAP("matchLabels", 0, 256, 1024),
	OBJLIST("matchExpressions", 0, 256, s_match_expr),
	END
};
static const struct eip_field s_ipam_spec[] = {
	OBJLIST("cidrAssignments", 0, 1024, s_cidr_assignment),
	STR("topologyLabel", 0, 317),
	OBJ("nodeSelector", 0, s_selector),
	END
};
static const struct eip_field s_condition[] = {
	STR("type", R, 316),
	STR("status", R, 16),
	STR("reason", 0, 1024),
	STR("message", 0, 32768),
	INT("observedGeneration", 0, 0, 1LL << 62),
	STR("lastTransitionTime", 0, 64),
	END
};
static const struct eip_field s_cidr_status[] = {
	STR("CIDR", R, 64),
	STR("size", R, 48),
	INT("allocated", R, 0, 1LL << 62),
	INT("reserved", R, 0, 1LL << 62),
	STR("free", R, 48),
	END
};
static const struct eip_field s_ipam_status[] = {
	OBJLIST("conditions", 0, 64, s_condition),
	OBJLIST("cidrs", 0, 1024, s_cidr_status),
	INT("namespaces", 0, 0, 1LL << 40),
	INT("observedGeneration", 0, 0, 1LL << 62),
	END
};
static const struct eip_field s_obj_egressipam[] = {
	META,
	INT("generation", R, 0, 1LL << 62),
	STRLIST("finalizers", 0, 64, 317),
	STR("azure_lb", 0, 64),
	OBJ("spec", 0, s_ipam_spec),
	OBJ("status", 0, s_ipam_status),
	END
};
static const struct eip_field s_obj_hostsubnet[] = {
	META,
	STR("host", 0, NAME_MAX_LEN),
	STR("host_ip", 0, 64),
	STRLIST("egress_ips", 0, 65536, 64),
	STRLIST("egress_cidrs", 0, 1024, 64),
	END
};
static const struct eip_field s_obj_netnamespace[] = {
	META,
	INT("netid", 0, 0, 0xffffffffLL),
	STRLIST("egress_ips", 0, 1024, 64),
	END
};
static const struct eip_field s_eip_item[] = {
	STR("node", R, NAME_MAX_LEN),
	STR("egressIP", R, 64),
	END
};
static const struct eip_field s_obj_egressip[] = {
	META,
	STRMAP("labels", 0, 512, 1024),
	STRLIST("egress_ips", 0, 1024, 64),
	STRMAP("namespace_selector", 0, 64, 1024),
	STR("owner_uid", 0, 64),
	OBJLIST("status", 0, 1024, s_eip_item),
	END
};
static const struct eip_field s_obj_infrastructure[] = {
	META,
	STR("platform", R, 64),
	STR("infra_name", 0, 253),
	STR("aws_region", 0, 64),
	STR("azure_rg", 0, 253),
	STR("azure_network_rg", 0, 253),
	STR("azure_cloud", 0, 64),
	END
};
static const struct eip_field s_obj_network[] = {
	META,
	STR("network_type", R, 64),
	END
};
static const struct eip_field s_obj_delete[] = {
	ENUM("kind", R, e_kinds),
	STR("name", R, NAME_MAX_LEN),
	STR("uid", 0, 64),
	END
};
static const struct eip_field s_kind[] = {
	ENUM("kind", R, e_kinds),
	END
};
static const struct eip_field s_kind_unserved[] = {
	ENUM("kind", R, e_kinds),
	STR("reason", R, 1024),
	END
};
static const struct eip_field s_leader[] = {
	BOOL("leading", R),
	STR("identity", R, 256),
	END
};

/* 25x: writes.  rv, when given, is a resourceVersion precondition. */
static const struct eip_field s_w_ns_egressips[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("rv", 0, 64),
	STR("egressips", R | N, 4096),
	END
};
static const struct eip_field s_w_netnamespace[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("rv", 0, 64),
	IPLIST("egress_ips", R, 1024),
	END
};
static const struct eip_field s_w_hostsubnet[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("rv", 0, 64),
	IPLIST("egress_ips", R, 65536),
	CIDRLIST("egress_cidrs", R, 1024),
	END
};
static const struct eip_field s_w_egressip[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("rv", 0, 64),
	STR("namespace", R, 63),
	STR("namespace_uid", R, 64),
	STR("ipam", R, NAME_MAX_LEN),
	IPLIST("egress_ips", R, 1024),
	END
};
static const struct eip_field s_w_egressip_delete[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("uid", 0, 64),
	END
};
static const struct eip_field s_w_node_assignable[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("rv", 0, 64),
	BOOL("assignable", R),
	STR("ipam", R, NAME_MAX_LEN),
	END
};
static const struct eip_field s_w_ipam_finalizers[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("rv", R, 64),
	STRLIST("finalizers", R, 64, 317),
	END
};
static const struct eip_field s_w_ipam_status[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("rv", 0, 64),
	OBJ("status", R, s_ipam_status),
	END
};
static const struct eip_field s_involved[] = {
	ENUM("kind", R, e_kinds),
	STR("name", R, NAME_MAX_LEN),
	STR("uid", 0, 64),
	STR("rv", 0, 64),
	END
};
static const struct eip_field s_w_event[] = {
	OBJ("involved", R, s_involved),
	ENUM("type", R, e_evtype),
	STR("reason", R, 128),
	STR("message", R, 4096),
	END
};
static const struct eip_field s_w_credreq[] = {
	ENUM("platform", R, e_platform),
	STR("secret_namespace", R, 63),
	END
};
static const struct eip_field s_w_result[] = {
	BOOL("ok", R),
	INT("code", R, 0, 999),
	STR("reason", 0, 128),
	STR("message", 0, 4096),
	STR("rv", 0, 64),
	END
};

/* 3xx: cloud */
static const struct eip_field s_cloud_config[] = {
	ENUM("platform", R, e_platform),
	STR("region", 0, 64),
	STR("resource_group", 0, 253),
	STR("network_resource_group", 0, 253),
	STR("infra_name", 0, 253),
	END
};
static const struct eip_field s_cloud_node_req[] = {
	STR("name", R, NAME_MAX_LEN),
	STR("provider_id", 0, 512),
	STR("instance_type", 0, 64),
	END
};
static const struct eip_field s_cloud_discover[] = {
	OBJLIST("nodes", R, 100000, s_cloud_node_req),
	CIDRLIST("cidrs", R, 4096),
	END
};
static const struct eip_field s_cloud_node[] = {
	STR("name", R, NAME_MAX_LEN),
	BOOL("ok", R),
	ENUM("class", 0, e_cloudclass),
	STR("error", 0, 1024),
	STR("instance", 0, 256),
	STR("nic", 0, 512),
	IP("primary_ip", 0),
	IPLIST("ips", 0, 1024),
	INT("capacity", 0, 0, 1 << 20),
	END
};
static const struct eip_field s_cloud_subnet[] = {
	CIDR("cidr", R),
	STR("subnet_cidr", 0, 64),
	IPLIST("used", 0, 1 << 20),
	STR("error", 0, 1024),
	END
};
static const struct eip_field s_cloud_discovered[] = {
	OBJLIST("nodes", R, 100000, s_cloud_node),
	OBJLIST("subnets", R, 4096, s_cloud_subnet),
	END
};
static const struct eip_field s_cloud_ensure[] = {
	STR("node", R, NAME_MAX_LEN),
	STR("provider_id", 0, 512),
	STR("nic", 0, 512),
	CIDRLIST("owned_cidrs", R, 4096),
	IPLIST("desired", R, 1024),
	ENUM("lb_mode", 0, e_lbmode),
	END
};
static const struct eip_field s_cloud_ensured[] = {
	STR("node", R, NAME_MAX_LEN),
	BOOL("ok", R),
	ENUM("class", R, e_cloudclass),
	STR("message", 0, 1024),
	IPLIST("ips", 0, 1024),
	INT("capacity", 0, 0, 1 << 20),
	INT("calls", 0, 0, 1 << 20),
	END
};

/* 4xx: state stream */
static const struct eip_field s_gauges[] = {
	BOOL("synced", R),
	BOOL("leader", R),
	ANY("data", R),
	END
};
static const struct eip_field s_trace[] = {
	ENUM("role", R, e_roles),
	ENUM("dir", R, e_dir),
	STR("peer", R, 64),
	STR("type", R, 64),
	INT("corr", R, 0, 1LL << 62),
	STR("summary", R, 2048),
	END
};

/* 5xx: debug */
static const struct eip_field s_debug_req[] = {
	ENUM("cmd", R, e_debug),
	ANY("args", 0),
	END
};
static const struct eip_field s_debug_rep[] = {
	BOOL("ok", R),
	STR("error", 0, 4096),
	ANY("result", 0),
	END
};

const struct eip_field *
eip_msg_schema(uint16_t type)
{
	switch (type) {
	case EIP_MSG_BOOT:		return s_boot;
	case EIP_MSG_READY:		return s_ready;
	case EIP_MSG_HEARTBEAT:		return s_heartbeat;
	case EIP_MSG_SET_LOG_LEVEL:	return s_set_log_level;
	case EIP_MSG_PROC_STATS:	return s_proc_stats;
	case EIP_MSG_HELLO:		return s_hello;
	case EIP_MSG_PING:		return s_ping;
	case EIP_MSG_PONG:		return s_ping;
	case EIP_MSG_RESYNC:		return s_empty;
	case EIP_MSG_OBJ_NAMESPACE:	return s_obj_namespace;
	case EIP_MSG_OBJ_NODE:		return s_obj_node;
	case EIP_MSG_OBJ_EGRESSIPAM:	return s_obj_egressipam;
	case EIP_MSG_OBJ_HOSTSUBNET:	return s_obj_hostsubnet;
	case EIP_MSG_OBJ_NETNAMESPACE:	return s_obj_netnamespace;
	case EIP_MSG_OBJ_EGRESSIP:	return s_obj_egressip;
	case EIP_MSG_OBJ_INFRASTRUCTURE: return s_obj_infrastructure;
	case EIP_MSG_OBJ_NETWORK:	return s_obj_network;
	case EIP_MSG_OBJ_DELETE:	return s_obj_delete;
	case EIP_MSG_SYNCED:		return s_kind;
	case EIP_MSG_KIND_UNSERVED:	return s_kind_unserved;
	case EIP_MSG_LEADER:		return s_leader;
	case EIP_MSG_W_NS_EGRESSIPS:	return s_w_ns_egressips;
	case EIP_MSG_W_NETNAMESPACE:	return s_w_netnamespace;
	case EIP_MSG_W_HOSTSUBNET:	return s_w_hostsubnet;
	case EIP_MSG_W_EGRESSIP:	return s_w_egressip;
	case EIP_MSG_W_EGRESSIP_DELETE:	return s_w_egressip_delete;
	case EIP_MSG_W_NODE_ASSIGNABLE:	return s_w_node_assignable;
	case EIP_MSG_W_IPAM_FINALIZERS:	return s_w_ipam_finalizers;
	case EIP_MSG_W_IPAM_STATUS:	return s_w_ipam_status;
	case EIP_MSG_W_EVENT:		return s_w_event;
	case EIP_MSG_W_CREDREQ:		return s_w_credreq;
	case EIP_MSG_W_RESULT:		return s_w_result;
	case EIP_MSG_CLOUD_CONFIG:	return s_cloud_config;
	case EIP_MSG_CLOUD_DISCOVER:	return s_cloud_discover;
	case EIP_MSG_CLOUD_DISCOVERED:	return s_cloud_discovered;
	case EIP_MSG_CLOUD_ENSURE:	return s_cloud_ensure;
	case EIP_MSG_CLOUD_ENSURED:	return s_cloud_ensured;
	case EIP_MSG_GAUGES:		return s_gauges;
	case EIP_MSG_TRACE:		return s_trace;
	case EIP_MSG_DEBUG_REQ:		return s_debug_req;
	case EIP_MSG_DEBUG_REP:		return s_debug_rep;
	}
	return NULL;
}
