/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IP and CIDR math (see ipaddr.h).  Parsing is strict: no leading zeros in
 * IPv4 octets or prefix lengths, no zone ids, no whitespace, nothing after
 * the address.  Everything else is integer arithmetic on 128 bits.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipaddr.h"

static u128
mask_of(unsigned bits, unsigned len)
{
	u128 all = ~(u128)0;

	if (len == 0)
		return 0;
	all <<= (128 - len);
	if (bits == 32)
		all >>= 96;
	return all;
}

unsigned
ip_bits(const struct eip_ip *ip)
{
	return ip->family == 4 ? 32 : 128;
}

int
ip_parsen(const char *s, size_t n, struct eip_ip *out)
{
	char buf[IP_STRLEN];
	uint8_t b[16];
	size_t i;

	if (s == NULL || n == 0 || n >= sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strlen(buf) != n) {		/* embedded NUL */
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (strchr(buf, ':') == NULL) {
		/* glibc's inet_pton refuses leading zeros and short forms. */
		if (inet_pton(AF_INET, buf, b) != 1) {
			errno = EINVAL;
			return -1;
		}
		out->family = 4;
		for (i = 0; i < 4; i++)
			out->v = (out->v << 8) | b[i];
		return 0;
	}
	if (inet_pton(AF_INET6, buf, b) != 1) {
		errno = EINVAL;
		return -1;
	}
	out->family = 6;
	for (i = 0; i < 16; i++)
		out->v = (out->v << 8) | b[i];
	return 0;
}

int
ip_parse(const char *s, struct eip_ip *out)
{
	if (s == NULL) {
		errno = EINVAL;
		return -1;
	}
	return ip_parsen(s, strlen(s), out);
}

char *
ip_format(const struct eip_ip *ip, char *buf, size_t len)
{
	uint8_t b[16];
	u128 v = ip->v;
	int i;

	if (ip->family == 4) {
		for (i = 3; i >= 0; i--, v >>= 8)
			b[i] = (uint8_t)v;
		if (inet_ntop(AF_INET, b, buf, (socklen_t)len) == NULL)
			return NULL;
		return buf;
	}
	for (i = 15; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	if (inet_ntop(AF_INET6, b, buf, (socklen_t)len) == NULL)
		return NULL;
	return buf;
}

int
ip_cmp(const struct eip_ip *a, const struct eip_ip *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return 0;
}

int
ip_equal(const struct eip_ip *a, const struct eip_ip *b)
{
	return a->family == b->family && a->v == b->v;
}

int
cidr_parse(const char *s, struct eip_cidr *out)
{
	const char *slash, *p;
	unsigned len = 0;

	if (s == NULL || (slash = strchr(s, '/')) == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (ip_parsen(s, (size_t)(slash - s), &out->addr) == -1)
		return -1;
	p = slash + 1;
	/* One to three digits, no sign, no leading zero (except "0"). */
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0')) {
		errno = EINVAL;
		return -1;
	}
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || len > 128) {
			errno = EINVAL;
			return -1;
		}
		len = len * 10 + (unsigned)(*p - '0');
	}
	if (len > ip_bits(&out->addr)) {
		errno = EINVAL;
		return -1;
	}
	out->len = (uint8_t)len;
	out->net.family = out->addr.family;
	out->net.v = out->addr.v & mask_of(ip_bits(&out->addr), len);
	return 0;
}

char *
cidr_format(const struct eip_cidr *c, char *buf, size_t len)
{
	char ip[IP_STRLEN];

	if (ip_format(&c->net, ip, sizeof(ip)) == NULL)
		return NULL;
	if ((size_t)snprintf(buf, len, "%s/%u", ip, c->len) >= len)
		return NULL;
	return buf;
}

int
cidr_contains(const struct eip_cidr *c, const struct eip_ip *ip)
{
	if (c->net.family != ip->family)
		return 0;
	return (ip->v & mask_of(ip_bits(ip), c->len)) == c->net.v;
}

int
cidr_overlaps(const struct eip_cidr *a, const struct eip_cidr *b)
{
	if (a->net.family != b->net.family)
		return 0;
	return a->len <= b->len ? cidr_contains(a, &b->net) :
	    cidr_contains(b, &a->net);
}

int
cidr_equal(const struct eip_cidr *a, const struct eip_cidr *b)
{
	return a->len == b->len && ip_equal(&a->net, &b->net);
}

void
cidr_network(const struct eip_cidr *c, struct eip_ip *out)
{
	*out = c->net;
}

u128
cidr_last_offset(const struct eip_cidr *c)
{
	unsigned host = ip_bits(&c->net) - c->len;

	if (host == 128)
		return ~(u128)0;
	return ((u128)1 << host) - 1;
}

void
cidr_broadcast(const struct eip_cidr *c, struct eip_ip *out)
{
	out->family = c->net.family;
	out->v = c->net.v | cidr_last_offset(c);
}

int
cidr_size(const struct eip_cidr *c, u128 *out)
{
	u128 last = cidr_last_offset(c);

	if (last == ~(u128)0) {
		*out = last;
		return -1;
	}
	*out = last + 1;
	return 0;
}

int
cidr_nth(const struct eip_cidr *c, u128 n, struct eip_ip *out)
{
	if (n > cidr_last_offset(c)) {
		errno = ERANGE;
		return -1;
	}
	out->family = c->net.family;
	out->v = c->net.v + n;
	return 0;
}

int
cidr_offset(const struct eip_cidr *c, const struct eip_ip *ip, u128 *out)
{
	if (!cidr_contains(c, ip)) {
		errno = ERANGE;
		return -1;
	}
	*out = ip->v - c->net.v;
	return 0;
}

char *
u128_format(u128 v, char *buf, size_t len)
{
	char tmp[48];
	size_t i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	if (sizeof(tmp) - 1 - i >= len)
		return NULL;
	memcpy(buf, tmp + i, sizeof(tmp) - i);
	return buf;
}
