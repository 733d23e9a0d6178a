/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protocol messages over ZeroMQ (see zmsg.h).  A malformed or unexpected
 * message from a peer is counted, logged (rate-limited) and dropped; the
 * process carries on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "xmalloc.h"
#include "zmsg.h"

#define TRACE_RING	1024
#define TRACE_SUMMARY	200

struct zmsg_chan {
	struct zev	*zev;
	enum eip_role	 self;
	int		 router;
	enum eip_role	 peer_role;
	char		 peer_name[64];
	zmsg_cb		 cb;
	void		*arg;
	unsigned long	 rejected;
	unsigned long	 received;
	unsigned long	 sent;
	time_t		 last_reject_log;
};

struct trace_entry {
	uint64_t	 seq;
	double		 ts;
	char		 dir[4];
	char		 peer[32];
	uint16_t	 type;
	uint64_t	 corr;
	char		 summary[TRACE_SUMMARY];
};

static struct trace_entry trace_ring[TRACE_RING];
static uint64_t		  trace_seq;
static int		  trace_on;

int
zmsg_peer_role(const char *peer, enum eip_role *out)
{
	char role[32];
	size_t n = strcspn(peer, "-");

	if (n == 0 || n >= sizeof(role))
		return -1;
	memcpy(role, peer, n);
	role[n] = '\0';
	return eip_role_parse(role, out);
}

static void
chan_recv(struct zev *z, const struct zev_frame *f, int n, void *arg)
{
	struct zmsg_chan *c = arg;
	struct eip_msg m;
	enum eip_role sender;
	char peer[64], err[512];
	int base = c->router ? 1 : 0;
	time_t now;

	if (c->router) {
		if (n < 1 || f[0].len == 0 || f[0].len >= sizeof(peer)) {
			snprintf(err, sizeof(err), "bad routing id");
			goto reject_nopeer;
		}
		memcpy(peer, f[0].data, f[0].len);
		peer[f[0].len] = '\0';
		if (zmsg_peer_role(peer, &sender) == -1) {
			snprintf(err, sizeof(err), "unknown peer role");
			goto reject;
		}
	} else {
		snprintf(peer, sizeof(peer), "%s", c->peer_name);
		sender = c->peer_role;
	}
	if (n != base + 2) {
		snprintf(err, sizeof(err), "expected %d frames, got %d",
		    base + 2, n);
		goto reject;
	}
	if (eip_msg_decode(f[base].data, f[base].len, f[base + 1].data,
	    f[base + 1].len, c->self, &m, err, sizeof(err)) == -1)
		goto reject;
	if (!eip_msg_allowed(m.type, sender, c->self)) {
		snprintf(err, sizeof(err), "%s may not be sent by %s",
		    eip_msg_name(m.type), eip_role_name(sender));
		eip_msg_clear(&m);
		goto reject;
	}
	c->received++;
	if (trace_on)
		zmsg_trace_note("in", peer, m.type, m.corr, m.body);
	c->cb(c, peer, &m, c->arg);
	eip_msg_clear(&m);
	return;

reject_nopeer:
	snprintf(peer, sizeof(peer), "?");
reject:
	c->rejected++;
	now = time(NULL);
	/* One line per second at most: a babbling peer must not flood logs. */
	if (now != c->last_reject_log) {
		c->last_reject_log = now;
		log_warn("dropped message from %s: %s (%lu rejected so far)",
		    peer, err, c->rejected);
	}
}

struct zmsg_chan *
zmsg_chan_new(struct event_base *base, void *zsock, enum eip_role self,
    int router, enum eip_role peer_role, const char *peer_name, zmsg_cb cb,
    void *arg)
{
	struct zmsg_chan *c = xcalloc(1, sizeof(*c));

	c->self = self;
	c->router = router;
	c->peer_role = peer_role;
	snprintf(c->peer_name, sizeof(c->peer_name), "%s",
	    peer_name != NULL ? peer_name : eip_role_name(peer_role));
	c->cb = cb;
	c->arg = arg;
	if ((c->zev = zev_new(base, zsock, chan_recv, c)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
zmsg_chan_free(struct zmsg_chan *c)
{
	if (c == NULL)
		return;
	zev_free(c->zev);
	free(c);
}

struct zev *
zmsg_chan_zev(struct zmsg_chan *c)
{
	return c->zev;
}

int
zmsg_send(struct zmsg_chan *c, const char *peer, uint16_t type, uint64_t corr,
    const json_t *body)
{
	uint8_t hdr[EIP_HDR_LEN];
	struct zev_frame f[3];
	char err[512], *buf;
	size_t len;
	int n = 0, r;

	if (eip_msg_encode(type, 0, corr, body, hdr, &buf, &len, err,
	    sizeof(err)) == -1) {
		/* Our own bug: never put it on the wire. */
		log_error("not sending %s: %s", eip_msg_name(type), err);
		errno = EPROTO;
		return -1;
	}
	if (c->router) {
		if (peer == NULL) {
			free(buf);
			errno = EINVAL;
			return -1;
		}
		f[n].data = peer;
		f[n++].len = strlen(peer);
	}
	f[n].data = hdr;
	f[n++].len = sizeof(hdr);
	f[n].data = buf;
	f[n++].len = len;
	r = zev_send(c->zev, f, n);
	free(buf);
	if (r == 0) {
		c->sent++;
		if (trace_on)
			zmsg_trace_note("out", peer != NULL ? peer :
			    c->peer_name, type, corr, body);
	}
	return r;
}

unsigned long
zmsg_rejected(const struct zmsg_chan *c)
{
	return c->rejected;
}

unsigned long
zmsg_received(const struct zmsg_chan *c)
{
	return c->received;
}

unsigned long
zmsg_sent(const struct zmsg_chan *c)
{
	return c->sent;
}

void
zmsg_trace_enable(int on)
{
	trace_on = on;
}

void
zmsg_trace_note(const char *dir, const char *peer, uint16_t type,
    uint64_t corr, const json_t *body)
{
	uint64_t seq = ++trace_seq;
	struct trace_entry *e = &trace_ring[seq % TRACE_RING];
	struct timespec ts;
	char *s;

	clock_gettime(CLOCK_REALTIME, &ts);
	e->seq = seq;
	e->ts = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	snprintf(e->dir, sizeof(e->dir), "%s", dir);
	snprintf(e->peer, sizeof(e->peer), "%s", peer);
	e->type = type;
	e->corr = corr;
	/* A short summary; the trace is for people, not for replay. */
	s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	snprintf(e->summary, sizeof(e->summary), "%s", s != NULL ? s : "");
	log_redact(e->summary, strlen(e->summary), sizeof(e->summary));
	free(s);
}

json_t *
zmsg_trace_since(uint64_t since, uint64_t *last)
{
	json_t *arr = json_array();
	uint64_t first, s;

	first = trace_seq > TRACE_RING ? trace_seq - TRACE_RING + 1 : 1;
	if (since + 1 > first)
		first = since + 1;
	for (s = first; s <= trace_seq; s++) {
		struct trace_entry *e = &trace_ring[s % TRACE_RING];

		json_array_append_new(arr, json_pack("{s:I,s:f,s:s,s:s,s:s,s:I,s:s}",
		    "seq", (json_int_t)e->seq, "ts", e->ts, "dir", e->dir,
		    "peer", e->peer, "type", eip_msg_name(e->type),
		    "corr", (json_int_t)e->corr, "summary", e->summary));
	}
	*last = trace_seq;
	return arr;
}
