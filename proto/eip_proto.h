/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The protocol between the operator's processes: every message is listed
 * once below with its number, the roles allowed to send and to receive it,
 * and the schema of its JSON body (proto/schema.c).  proto/SCHEMA.md says
 * what each field means.  Numbers are grouped in blocks per process pair
 * and never reused.
 *
 * Don't forget to bump EIP_PROTO_VERSION if anything here changes!
 */
#ifndef EIP_PROTO_H
#define EIP_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define EIP_PROTO_VERSION	3
#define EIP_PROTO_MAGIC		0x45495041u	/* "EIPA" */
#define EIP_HDR_LEN		20
#define EIP_BODY_MAX		(16u * 1024 * 1024)

enum eip_role {
	EIP_ROLE_SUPERVISOR = 0,
	EIP_ROLE_WATCHER,
	EIP_ROLE_ALLOCATOR,
	EIP_ROLE_CLOUDWORKER,
	EIP_ROLE_METRICSD,
	EIP_ROLE_CTL,
	EIP_ROLE_MAX
};

#define R_SUP	(1u << EIP_ROLE_SUPERVISOR)
#define R_WAT	(1u << EIP_ROLE_WATCHER)
#define R_ALL	(1u << EIP_ROLE_ALLOCATOR)
#define R_CLD	(1u << EIP_ROLE_CLOUDWORKER)
#define R_MET	(1u << EIP_ROLE_METRICSD)
#define R_CTL	(1u << EIP_ROLE_CTL)
#define R_WORKERS (R_WAT | R_ALL | R_CLD | R_MET)

/*
 * X(NAME, number, senders, receivers)
 *   1xx  lifeline: supervisor <-> every worker (fd 3)
 *   2xx  watcher <-> allocator (alloc.sock)
 *   25x  allocator -> watcher writes, and their result
 *   3xx  allocator <-> cloudworker (alloc.sock)
 *   4xx  allocator PUB (state.sock)
 *   5xx  debug socket of every worker (<role>.debug.sock)
 */
#define EIP_MESSAGES(X)							\
	X(BOOT,			100, R_SUP, R_WORKERS)			\
	X(READY,		101, R_WORKERS, R_SUP)			\
	X(HEARTBEAT,		102, R_WORKERS | R_SUP, R_WORKERS | R_SUP) \
	X(SET_LOG_LEVEL,	103, R_SUP, R_WORKERS)			\
	X(PROC_STATS,		104, R_SUP, R_MET)			\
	X(HELLO,		200, R_WAT | R_CLD, R_ALL)		\
	X(PING,			201, R_WAT | R_CLD | R_ALL, R_WAT | R_CLD | R_ALL) \
	X(PONG,			202, R_WAT | R_CLD | R_ALL, R_WAT | R_CLD | R_ALL) \
	X(RESYNC,		203, R_ALL, R_WAT)			\
	X(OBJ_NAMESPACE,	210, R_WAT, R_ALL)			\
	X(OBJ_NODE,		211, R_WAT, R_ALL)			\
	X(OBJ_EGRESSIPAM,	212, R_WAT, R_ALL)			\
	X(OBJ_HOSTSUBNET,	213, R_WAT, R_ALL)			\
	X(OBJ_NETNAMESPACE,	214, R_WAT, R_ALL)			\
	X(OBJ_EGRESSIP,		215, R_WAT, R_ALL)			\
	X(OBJ_INFRASTRUCTURE,	216, R_WAT, R_ALL)			\
	X(OBJ_NETWORK,		217, R_WAT, R_ALL)			\
	X(OBJ_DELETE,		218, R_WAT, R_ALL)			\
	X(SYNCED,		219, R_WAT, R_ALL)			\
	X(KIND_UNSERVED,	220, R_WAT, R_ALL)			\
	X(LEADER,		221, R_WAT, R_ALL)			\
	X(W_NS_EGRESSIPS,	250, R_ALL, R_WAT)			\
	X(W_NETNAMESPACE,	251, R_ALL, R_WAT)			\
	X(W_HOSTSUBNET,		252, R_ALL, R_WAT)			\
	X(W_EGRESSIP,		253, R_ALL, R_WAT)			\
	X(W_EGRESSIP_DELETE,	254, R_ALL, R_WAT)			\
	X(W_NODE_ASSIGNABLE,	255, R_ALL, R_WAT)			\
	X(W_IPAM_FINALIZERS,	256, R_ALL, R_WAT)			\
	X(W_IPAM_STATUS,	257, R_ALL, R_WAT)			\
	X(W_EVENT,		258, R_ALL, R_WAT)			\
	X(W_CREDREQ,		259, R_ALL, R_WAT)			\
	X(W_RESULT,		270, R_WAT, R_ALL)			\
	X(CLOUD_CONFIG,		300, R_ALL, R_CLD)			\
	X(CLOUD_DISCOVER,	301, R_ALL, R_CLD)			\
	X(CLOUD_DISCOVERED,	302, R_CLD, R_ALL)			\
	X(CLOUD_ENSURE,		303, R_ALL, R_CLD)			\
	X(CLOUD_ENSURED,	304, R_CLD, R_ALL)			\
	X(GAUGES,		400, R_ALL, R_MET | R_CTL)		\
	X(TRACE,		401, R_ALL, R_MET | R_CTL)		\
	X(DEBUG_REQ,		500, R_CTL | R_SUP, R_WORKERS)		\
	X(DEBUG_REP,		501, R_WORKERS, R_CTL | R_SUP)

enum eip_msg_type {
#define EIP_X_ENUM(name, num, snd, rcv)	EIP_MSG_##name = num,
	EIP_MESSAGES(EIP_X_ENUM)
#undef EIP_X_ENUM
};

/* Header flags. */
#define EIP_F_TRACED	0x0001u		/* copy to the trace stream */

struct eip_hdr {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	type;
	uint32_t	flags;
	uint64_t	corr;
};

/* A decoded, validated message.  body is owned by the message. */
struct eip_msg {
	uint16_t	 type;
	uint32_t	 flags;
	uint64_t	 corr;
	json_t		*body;
};

/*
 * Schemas: a table of fields, ended by a zero entry.  The validator walks
 * the body with it: unknown keys, missing required keys, wrong types,
 * out-of-range numbers, oversized strings and lists, and malformed IPs or
 * CIDRs are all rejected.
 */
enum eip_ftype {
	EIP_T_STR = 1,		/* string, max = length limit */
	EIP_T_INT,		/* integer in [min, max] */
	EIP_T_BOOL,
	EIP_T_IP,		/* IPv4 or IPv6 address */
	EIP_T_CIDR,
	EIP_T_ENUM,		/* one of enums[] */
	EIP_T_STRLIST,		/* max = items; min = length limit of each */
	EIP_T_IPLIST,		/* max = items */
	EIP_T_CIDRLIST,		/* max = items */
	EIP_T_STRMAP,		/* object of strings; max = entries, min = value length */
	EIP_T_OBJ,		/* nested object, sub schema */
	EIP_T_OBJLIST,		/* array of objects, sub schema; max = items */
	EIP_T_JSON,		/* any JSON; the receiver validates it */
};

#define EIP_REQ		0x1u	/* must be present */
#define EIP_NULL	0x2u	/* may be JSON null */

struct eip_field {
	const char		*name;
	enum eip_ftype		 type;
	unsigned		 flags;
	long long		 min;
	long long		 max;
	const struct eip_field	*sub;
	const char *const	*enums;
};

const char	*eip_msg_name(uint16_t type);
const char	*eip_role_name(enum eip_role);
int		 eip_role_parse(const char *, enum eip_role *);
const struct eip_field *eip_msg_schema(uint16_t type);
int		 eip_msg_allowed(uint16_t type, enum eip_role sender,
		    enum eip_role receiver);
int		 eip_msg_known(uint16_t type);

int	 eip_validate(const json_t *, const struct eip_field *, char *, size_t);

void	 eip_hdr_pack(const struct eip_hdr *, uint8_t out[EIP_HDR_LEN]);
int	 eip_hdr_unpack(const uint8_t *, size_t, struct eip_hdr *);

/*
 * Encoding validates the body against the schema too, so a bug in a sender
 * is caught where it is made.  The body buffer is malloc'ed.
 */
int	 eip_msg_encode(uint16_t type, uint32_t flags, uint64_t corr,
	    const json_t *body, uint8_t hdr[EIP_HDR_LEN], char **buf,
	    size_t *len, char *err, size_t errlen);
/*
 * Decoding checks magic, version, type, that `self` may receive the type,
 * the body's size and JSON syntax (duplicate keys rejected) and the schema.
 * Fails with errno EPROTO and a reason in err.
 */
int	 eip_msg_decode(const void *hdr, size_t hlen, const void *body,
	    size_t blen, enum eip_role self, struct eip_msg *, char *err,
	    size_t errlen);
void	 eip_msg_clear(struct eip_msg *);

/* Helpers for reading validated bodies. */
const char	*eip_str(const json_t *obj, const char *key);
long long	 eip_int(const json_t *obj, const char *key, long long def);
int		 eip_bool(const json_t *obj, const char *key, int def);

#endif
