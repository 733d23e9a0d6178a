/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encoding and strict decoding of the messages listed in eip_proto.h.  A
 * decoder never trusts its input: every failure is EPROTO with a reason,
 * and the caller counts, logs and drops the message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "ipaddr.h"

struct msg_info {
	uint16_t	 type;
	const char	*name;
	unsigned	 senders;
	unsigned	 receivers;
};

static const struct msg_info msg_table[] = {
#define EIP_X_INFO(name, num, snd, rcv)	{ num, #name, snd, rcv },
	EIP_MESSAGES(EIP_X_INFO)
#undef EIP_X_INFO
};

static const char *const role_names[EIP_ROLE_MAX] = {
	"supervisor", "watcher", "allocator", "cloudworker", "metricsd", "ctl"
};

static const struct msg_info *
msg_lookup(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(msg_table) / sizeof(msg_table[0]); i++)
		if (msg_table[i].type == type)
			return &msg_table[i];
	return NULL;
}

const char *
eip_msg_name(uint16_t type)
{
	const struct msg_info *m = msg_lookup(type);

	return m != NULL ? m->name : "UNKNOWN";
}

int
eip_msg_known(uint16_t type)
{
	return msg_lookup(type) != NULL;
}

const char *
eip_role_name(enum eip_role r)
{
	if ((unsigned)r >= EIP_ROLE_MAX)
		return "unknown";
	return role_names[r];
}

int
eip_role_parse(const char *s, enum eip_role *out)
{
	int i;

	for (i = 0; i < EIP_ROLE_MAX; i++) {
		if (s != NULL && strcmp(s, role_names[i]) == 0) {
			*out = (enum eip_role)i;
			return 0;
		}
	}
	return -1;
}

int
eip_msg_allowed(uint16_t type, enum eip_role sender, enum eip_role receiver)
{
	const struct msg_info *m = msg_lookup(type);

	if (m == NULL || (unsigned)sender >= EIP_ROLE_MAX ||
	    (unsigned)receiver >= EIP_ROLE_MAX)
		return 0;
	return (m->senders & (1u << sender)) != 0 &&
	    (m->receivers & (1u << receiver)) != 0;
}

static int
verr(char *err, size_t errlen, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
verr(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s%s%s", path, *path ? ": " : "", msg);
	errno = EPROTO;
	return -1;
}

static int validate_obj(const json_t *, const struct eip_field *,
    const char *, char *, size_t, int);

static int
check_str(const json_t *v, long long max)
{
	return json_is_string(v) && (long long)json_string_length(v) <= max &&
	    strlen(json_string_value(v)) == json_string_length(v);
}

static int
validate_field(const json_t *v, const struct eip_field *f, const char *path,
    char *err, size_t errlen, int depth)
{
	struct eip_ip ip;
	struct eip_cidr cidr;
	const json_t *e;
	const char *k;
	size_t i;
	long long n;
	char sub[512];

	if (json_is_null(v)) {
		if (f->flags & EIP_NULL)
			return 0;
		return verr(err, errlen, path, "must not be null");
	}
	switch (f->type) {
	case EIP_T_STR:
		if (!check_str(v, f->max))
			return verr(err, errlen, path,
			    "must be a string of at most %lld bytes without NUL",
			    f->max);
		return 0;
	case EIP_T_INT:
		if (!json_is_integer(v))
			return verr(err, errlen, path, "must be an integer");
		n = json_integer_value(v);
		if (n < f->min || n > f->max)
			return verr(err, errlen, path, 
			    "integer out of range [%lld, %lld]", f->min, f->max);
		return 0;
	case EIP_T_BOOL:
		if (!json_is_boolean(v))
			return verr(err, errlen, path, "must be a boolean");
		return 0;
	case EIP_T_IP:
		if (!check_str(v, IP_STRLEN) ||
		    ip_parse(json_string_value(v), &ip) == -1)
			return verr(err, errlen, path, "not an IP address");
		return 0;
	case EIP_T_CIDR:
		if (!check_str(v, CIDR_STRLEN) ||
		    cidr_parse(json_string_value(v), &cidr) == -1)
			return verr(err, errlen, path, "not a CIDR");
		return 0;
	case EIP_T_ENUM:
		if (!json_is_string(v))
			return verr(err, errlen, path, "must be a string");
		for (i = 0; f->enums[i] != NULL; i++)
			if (strcmp(json_string_value(v), f->enums[i]) == 0)
				return 0;
		return verr(err, errlen, path, "unknown value '%.64s'",
		    json_string_value(v));
	case EIP_T_STRLIST:
	case EIP_T_IPLIST:
	case EIP_T_CIDRLIST:
		if (!json_is_array(v))
			return verr(err, errlen, path, "must be an array");
		if ((long long)json_array_size(v) > f->max)
			return verr(err, errlen, path, "too many items");
		/* The element's path is formatted only for an error: lists
		 * of hundreds of addresses pass through here often. */
		json_array_foreach(v, i, e) {
			const char *why = NULL;

			if (f->type == EIP_T_STRLIST) {
				if (!check_str(e, f->min > 0 ? f->min : 4096))
					why = "must be a bounded string";
			} else if (f->type == EIP_T_IPLIST) {
				if (!check_str(e, IP_STRLEN) ||
				    ip_parse(json_string_value(e), &ip) == -1)
					why = "not an IP address";
			} else if (!check_str(e, CIDR_STRLEN) ||
			    cidr_parse(json_string_value(e), &cidr) == -1)
				why = "not a CIDR";
			if (why != NULL) {
				snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
				return verr(err, errlen, sub, "%s", why);
			}
		}
		return 0;
	case EIP_T_STRMAP:
		if (!json_is_object(v))
			return verr(err, errlen, path, "must be an object");
		if ((long long)json_object_size(v) > f->max)
			return verr(err, errlen, path, "too many entries");
		json_object_foreach((json_t *)v, k, e) {
			if (strlen(k) > 317)
				return verr(err, errlen, path, "key too long");
			if (!check_str(e, f->min > 0 ? f->min : 4096)) {
				snprintf(sub, sizeof(sub), "%s.%.200s", path, k);
				return verr(err, errlen, sub,
				    "must be a bounded string");
			}
		}
		return 0;
	case EIP_T_OBJ:
		return validate_obj(v, f->sub, path, err, errlen, depth + 1);
	case EIP_T_OBJLIST:
		if (!json_is_array(v))
			return verr(err, errlen, path, "must be an array");
		if ((long long)json_array_size(v) > f->max)
			return verr(err, errlen, path, "too many items");
		json_array_foreach(v, i, e) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (validate_obj(e, f->sub, sub, err, errlen,
			    depth + 1) == -1)
				return -1;
		}
		return 0;
	case EIP_T_JSON:
		return 0;
	}
	return verr(err, errlen, path, "bad schema");
}

static int
validate_obj(const json_t *v, const struct eip_field *schema, const char *path,
    char *err, size_t errlen, int depth)
{
	const struct eip_field *f;
	const json_t *e;
	const char *k;
	char sub[512];

	if (depth > 8)
		return verr(err, errlen, path, "nested too deeply");
	if (!json_is_object(v))
		return verr(err, errlen, path, "must be an object");
	json_object_foreach((json_t *)v, k, e) {
		for (f = schema; f->name != NULL; f++)
			if (strcmp(f->name, k) == 0)
				break;
		if (f->name == NULL)
			return verr(err, errlen, path, "unknown key '%.64s'", k);
	}
	for (f = schema; f->name != NULL; f++) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
		    f->name);
		if ((e = json_object_get(v, f->name)) == NULL) {
			if (f->flags & EIP_REQ)
				return verr(err, errlen, sub, "missing");
			continue;
		}
		if (validate_field(e, f, sub, err, errlen, depth) == -1)
			return -1;
	}
	return 0;
}

int
eip_validate(const json_t *v, const struct eip_field *schema, char *err,
    size_t errlen)
{
	return validate_obj(v, schema, "", err, errlen, 0);
}

void
eip_hdr_pack(const struct eip_hdr *h, uint8_t out[EIP_HDR_LEN])
{
	uint32_t u32;
	uint16_t u16;

	u32 = htonl(h->magic);
	memcpy(out, &u32, 4);
	u16 = htons(h->version);
	memcpy(out + 4, &u16, 2);
	u16 = htons(h->type);
	memcpy(out + 6, &u16, 2);
	u32 = htonl(h->flags);
	memcpy(out + 8, &u32, 4);
	u32 = htonl((uint32_t)(h->corr >> 32));
	memcpy(out + 12, &u32, 4);
	u32 = htonl((uint32_t)h->corr);
	memcpy(out + 16, &u32, 4);
}

int
eip_hdr_unpack(const uint8_t *in, size_t len, struct eip_hdr *h)
{
	uint32_t u32, lo;
	uint16_t u16;

	if (in == NULL || len != EIP_HDR_LEN) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&u32, in, 4);
	h->magic = ntohl(u32);
	memcpy(&u16, in + 4, 2);
	h->version = ntohs(u16);
	memcpy(&u16, in + 6, 2);
	h->type = ntohs(u16);
	memcpy(&u32, in + 8, 4);
	h->flags = ntohl(u32);
	memcpy(&u32, in + 12, 4);
	memcpy(&lo, in + 16, 4);
	h->corr = ((uint64_t)ntohl(u32) << 32) | ntohl(lo);
	return 0;
}

int
eip_msg_encode(uint16_t type, uint32_t flags, uint64_t corr,
    const json_t *body, uint8_t hdr[EIP_HDR_LEN], char **buf, size_t *len,
    char *err, size_t errlen)
{
	const struct eip_field *schema;
	struct eip_hdr h;
	char *s;

	if ((schema = eip_msg_schema(type)) == NULL) {
		verr(err, errlen, "", "unknown message type");
		return -1;
	}
	if (eip_validate(body, schema, err, errlen) == -1)
		return -1;
	s = json_dumps(body, JSON_COMPACT);
	if (s == NULL) {
		verr(err, errlen, "", "cannot serialise body");
		return -1;
	}
	if (strlen(s) > EIP_BODY_MAX) {
		free(s);
		verr(err, errlen, "", "body too large");
		return -1;
	}
	h.magic = EIP_PROTO_MAGIC;
	h.version = EIP_PROTO_VERSION;
	h.type = type;
	h.flags = flags;
	h.corr = corr;
	eip_hdr_pack(&h, hdr);
	*buf = s;
	*len = strlen(s);
	return 0;
}

int
eip_msg_decode(const void *hdr, size_t hlen, const void *body, size_t blen,
    enum eip_role self, struct eip_msg *out, char *err, size_t errlen)
{
	const struct msg_info *m;
	struct eip_hdr h;
	json_error_t jerr;
	json_t *j;
	char what[64];

	memset(out, 0, sizeof(*out));
	if (eip_hdr_unpack(hdr, hlen, &h) == -1)
		return verr(err, errlen, "", "header of wrong size");
	if (h.magic != EIP_PROTO_MAGIC)
		return verr(err, errlen, "", "bad magic");
	if (h.version != EIP_PROTO_VERSION) {
		snprintf(what, sizeof(what), "%u", h.version);
		return verr(err, errlen, "", "protocol version %s not spoken",
		    what);
	}
	if ((m = msg_lookup(h.type)) == NULL) {
		snprintf(what, sizeof(what), "%u", h.type);
		return verr(err, errlen, "", "unknown message type %s", what);
	}
	if ((unsigned)self >= EIP_ROLE_MAX ||
	    (m->receivers & (1u << self)) == 0)
		return verr(err, errlen, "", "%s not accepted by this role",
		    m->name);
	if (body == NULL || blen == 0)
		return verr(err, errlen, m->name, "empty body");
	if (blen > EIP_BODY_MAX)
		return verr(err, errlen, m->name, "body too large");
	if (memchr(body, '\0', blen) != NULL)
		return verr(err, errlen, m->name, "NUL byte in body");
	j = json_loadb(body, blen, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return verr(err, errlen, m->name, "invalid JSON: %.128s",
		    jerr.text);
	if (eip_validate(j, eip_msg_schema(h.type), err, errlen) == -1) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s", err ? err : "");
		if (err != NULL)
			snprintf(err, errlen, "%s: %s", m->name, reason);
		json_decref(j);
		errno = EPROTO;
		return -1;
	}
	out->type = h.type;
	out->flags = h.flags;
	out->corr = h.corr;
	out->body = j;
	return 0;
}

void
eip_msg_clear(struct eip_msg *m)
{
	if (m == NULL)
		return;
	json_decref(m->body);
	m->body = NULL;
}

const char *
eip_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

long long
eip_int(const json_t *obj, const char *key, long long def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

int
eip_bool(const json_t *obj, const char *key, int def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_boolean(v) ? json_is_true(v) : def;
}
