/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lifeline transport (see lifeline.h).  SEQPACKET keeps message
 * boundaries, so a packet is decoded whole or rejected whole.
 */
#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "lifeline.h"
#include "log.h"
#include "xmalloc.h"

struct lifeline {
	int		 fd;
	enum eip_role	 self;
	enum eip_role	 peer;
	struct event	*ev;
	lifeline_msg_cb	 on_msg;
	lifeline_eof_cb	 on_eof;
	void		*arg;
	unsigned long	 rejected;
	int		 dead;
};

static int
packet_send(int fd, uint16_t type, uint64_t corr, const json_t *body,
    int flags)
{
	uint8_t hdr[EIP_HDR_LEN];
	char err[512], *buf, *pkt;
	size_t len;
	ssize_t w;

	if (eip_msg_encode(type, 0, corr, body, hdr, &buf, &len, err,
	    sizeof(err)) == -1) {
		log_error("lifeline: not sending %s: %s", eip_msg_name(type),
		    err);
		return -1;
	}
	if (len + EIP_HDR_LEN > LIFELINE_MAX_PACKET) {
		free(buf);
		errno = EMSGSIZE;
		return -1;
	}
	pkt = xmalloc(len + EIP_HDR_LEN);
	memcpy(pkt, hdr, EIP_HDR_LEN);
	memcpy(pkt + EIP_HDR_LEN, buf, len);
	free(buf);
	do {
		w = send(fd, pkt, len + EIP_HDR_LEN, MSG_NOSIGNAL | flags);
	} while (w == -1 && errno == EINTR);
	free(pkt);
	return w == -1 ? -1 : 0;
}

int
lifeline_write(int fd, uint16_t type, uint64_t corr, const json_t *body)
{
	return packet_send(fd, type, corr, body, 0);
}

static int
decode_packet(const char *pkt, ssize_t n, enum eip_role self,
    struct eip_msg *m, char *err, size_t errlen)
{
	if (n < EIP_HDR_LEN) {
		snprintf(err, errlen, "short packet (%zd bytes)", n);
		errno = EPROTO;
		return -1;
	}
	return eip_msg_decode(pkt, EIP_HDR_LEN, pkt + EIP_HDR_LEN,
	    (size_t)n - EIP_HDR_LEN, self, m, err, errlen);
}

int
lifeline_read(int fd, enum eip_role self, int timeout_ms, struct eip_msg *m,
    char *err, size_t errlen)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char *pkt;
	ssize_t n;
	int r;

	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r == -1 && errno == EINTR);
	if (r == 0) {
		snprintf(err, errlen, "timed out");
		errno = ETIMEDOUT;
		return -1;
	}
	if (r == -1) {
		snprintf(err, errlen, "poll: %s", strerror(errno));
		return -1;
	}
	pkt = xmalloc(LIFELINE_MAX_PACKET);
	do {
		n = recv(fd, pkt, LIFELINE_MAX_PACKET, MSG_TRUNC);
	} while (n == -1 && errno == EINTR);
	if (n <= 0) {
		snprintf(err, errlen, "%s", n == 0 ? "peer closed" :
		    strerror(errno));
		free(pkt);
		errno = n == 0 ? EPIPE : errno;
		return -1;
	}
	if (n > LIFELINE_MAX_PACKET) {
		snprintf(err, errlen, "packet too large");
		free(pkt);
		errno = EPROTO;
		return -1;
	}
	r = decode_packet(pkt, n, self, m, err, errlen);
	free(pkt);
	return r;
}

static void
lifeline_readable(evutil_socket_t fd, short what, void *arg)
{
	struct lifeline *l = arg;
	struct eip_msg m;
	char err[512];
	char *pkt;
	ssize_t n;

	pkt = xmalloc(LIFELINE_MAX_PACKET);
	n = recv(fd, pkt, LIFELINE_MAX_PACKET, MSG_TRUNC | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		free(pkt);
		return;
	}
	if (n <= 0) {
		free(pkt);
		if (!l->dead) {
			l->dead = 1;
			event_del(l->ev);
			l->on_eof(l, l->arg);
		}
		return;
	}
	if (n > LIFELINE_MAX_PACKET) {
		snprintf(err, sizeof(err), "packet too large");
		goto reject;
	}
	if (decode_packet(pkt, n, l->self, &m, err, sizeof(err)) == -1)
		goto reject;
	if (!eip_msg_allowed(m.type, l->peer, l->self)) {
		snprintf(err, sizeof(err), "%s may not be sent by %s",
		    eip_msg_name(m.type), eip_role_name(l->peer));
		eip_msg_clear(&m);
		goto reject;
	}
	free(pkt);
	l->on_msg(l, &m, l->arg);
	eip_msg_clear(&m);
	return;
reject:
	free(pkt);
	l->rejected++;
	log_warn("lifeline: dropped message from %s: %s",
	    eip_role_name(l->peer), err);
}

struct lifeline *
lifeline_new(struct event_base *base, int fd, enum eip_role self,
    enum eip_role peer, lifeline_msg_cb on_msg, lifeline_eof_cb on_eof,
    void *arg)
{
	struct lifeline *l = xcalloc(1, sizeof(*l));

	l->fd = fd;
	l->self = self;
	l->peer = peer;
	l->on_msg = on_msg;
	l->on_eof = on_eof;
	l->arg = arg;
	l->ev = event_new(base, fd, EV_READ | EV_PERSIST, lifeline_readable, l);
	if (l->ev == NULL || event_add(l->ev, NULL) == -1) {
		if (l->ev != NULL)
			event_free(l->ev);
		free(l);
		return NULL;
	}
	return l;
}

void
lifeline_free(struct lifeline *l)
{
	if (l == NULL)
		return;
	event_free(l->ev);
	close(l->fd);
	free(l);
}

int
lifeline_send(struct lifeline *l, uint16_t type, uint64_t corr,
    const json_t *body)
{
	if (l->dead) {
		errno = EPIPE;
		return -1;
	}
	/*
	 * Never block the event loop on a peer that stopped reading: a hung
	 * peer is detected by its missing heartbeats, not by our stall.
	 */
	return packet_send(l->fd, type, corr, body, MSG_DONTWAIT);
}

unsigned long
lifeline_rejected(const struct lifeline *l)
{
	return l->rejected;
}
