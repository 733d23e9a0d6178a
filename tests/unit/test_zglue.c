/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/zglue.c and zmsg.c: bursts of 100,000 messages both ways through
 * a libevent loop without a stall (ZMQ_FD is edge-triggered), and
 * malformed protocol messages counted and dropped.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "eip_proto.h"
#include "testutil.h"
#include "zglue.h"
#include "zmsg.h"

#define BURST	100000

struct ctx {
	struct event_base	*base;
	struct zev		*router;
	struct zev		*dealer;
	long			 at_router;
	long			 at_dealer;
	long			 target;
};

static void
router_cb(struct zev *z, const struct zev_frame *f, int n, void *arg)
{
	struct ctx *c = arg;

	ck_assert_int_eq(n, 2);
	c->at_router++;
	/* Echo back to the sender: every receive is followed by a send. */
	ck_assert_int_eq(zev_send(z, f, n), 0);
}

static void
dealer_cb(struct zev *z, const struct zev_frame *f, int n, void *arg)
{
	struct ctx *c = arg;

	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(f[0].len, sizeof(long));
	c->at_dealer++;
	if (c->at_dealer == c->target)
		event_base_loopexit(c->base, NULL);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

static void *
pair(void *zctx, const char *ep, void **dealer, const char *id)
{
	void *r = zmq_socket(zctx, ZMQ_ROUTER);

	*dealer = zmq_socket(zctx, ZMQ_DEALER);
	ck_assert_int_eq(zsock_setup(r), 0);
	ck_assert_int_eq(zsock_setup(*dealer), 0);
	if (id != NULL)
		ck_assert_int_eq(zmq_setsockopt(*dealer, ZMQ_ROUTING_ID, id,
		    strlen(id)), 0);
	ck_assert_int_eq(zmq_bind(r, ep), 0);
	ck_assert_int_eq(zmq_connect(*dealer, ep), 0);
	return r;
}

START_TEST(t_burst)
{
	struct ctx c = { 0 };
	struct event *tmo;
	struct timeval tv = { 30, 0 };
	struct zev_frame f;
	void *zctx = zmq_ctx_new(), *r, *d;
	long i;

	c.base = event_base_new();
	r = pair(zctx, "inproc://burst", &d, NULL);
	c.router = zev_new(c.base, r, router_cb, &c);
	c.dealer = zev_new(c.base, d, dealer_cb, &c);
	c.target = BURST;
	for (i = 0; i < BURST; i++) {
		f.data = &i;
		f.len = sizeof(i);
		ck_assert_int_eq(zev_send(c.dealer, &f, 1), 0);
	}
	tmo = evtimer_new(c.base, on_timeout, c.base);
	evtimer_add(tmo, &tv);
	event_base_dispatch(c.base);
	ck_assert_int_eq(c.at_router, BURST);
	ck_assert_int_eq(c.at_dealer, BURST);

	/* After the burst, one more message must still flow at once. */
	c.target = BURST + 1;
	f.data = &i;
	f.len = sizeof(i);
	ck_assert_int_eq(zev_send(c.dealer, &f, 1), 0);
	tv.tv_sec = 5;
	evtimer_add(tmo, &tv);
	event_base_dispatch(c.base);
	ck_assert_int_eq(c.at_dealer, BURST + 1);
	ck_assert_uint_eq(zev_queued(c.dealer), 0);

	event_free(tmo);
	zev_free(c.router);
	zev_free(c.dealer);
	zmq_close(r);
	zmq_close(d);
	zmq_ctx_term(zctx);
	event_base_free(c.base);
}
END_TEST

struct mctx {
	struct event_base	*base;
	int			 got;
	char			 peer[64];
	uint16_t		 type;
};

static void
msg_cb(struct zmsg_chan *ch, const char *peer, struct eip_msg *m, void *arg)
{
	struct mctx *c = arg;

	c->got++;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->type = m->type;
	event_base_loopexit(c->base, NULL);
}

START_TEST(t_rejects)
{
	struct mctx c = { 0 };
	struct zmsg_chan *ch;
	struct event *tmo;
	struct timeval tv = { 5, 0 };
	uint8_t hdr[EIP_HDR_LEN];
	struct eip_hdr h = { EIP_PROTO_MAGIC, EIP_PROTO_VERSION,
	    EIP_MSG_OBJ_NODE, 0, 1 };
	void *zctx = zmq_ctx_new(), *r, *d, *d2;
	json_t *b;

	c.base = event_base_new();
	r = pair(zctx, "inproc://rej", &d, "watcher");
	d2 = zmq_socket(zctx, ZMQ_DEALER);
	ck_assert_int_eq(zmq_setsockopt(d2, ZMQ_ROUTING_ID, "cloudworker-0",
	    13), 0);
	ck_assert_int_eq(zmq_connect(d2, "inproc://rej"), 0);
	ch = zmsg_chan_new(c.base, r, EIP_ROLE_ALLOCATOR, 1, EIP_ROLE_ALLOCATOR,
	    NULL, msg_cb, &c);
	ck_assert_ptr_nonnull(ch);

	/* 1: one frame only. */
	zmq_send(d, "x", 1, 0);
	/* 2: garbage header. */
	zmq_send(d, "garbage", 7, ZMQ_SNDMORE);
	zmq_send(d, "{}", 2, 0);
	/* 3: a valid OBJ_NODE body, but sent by a cloudworker. */
	eip_hdr_pack(&h, hdr);
	b = json_pack("{s:s,s:s,s:{},s:s}", "name", "n1", "rv", "1",
	    "labels", "ready", "True");
	{
		char *s = json_dumps(b, JSON_COMPACT);

		zmq_send(d2, hdr, sizeof(hdr), ZMQ_SNDMORE);
		zmq_send(d2, s, strlen(s), 0);
		/* 4: the same from the watcher is accepted. */
		zmq_send(d, hdr, sizeof(hdr), ZMQ_SNDMORE);
		zmq_send(d, s, strlen(s), 0);
		free(s);
	}
	json_decref(b);
	tmo = evtimer_new(c.base, on_timeout, c.base);
	evtimer_add(tmo, &tv);
	event_base_dispatch(c.base);
	ck_assert_int_eq(c.got, 1);
	ck_assert_str_eq(c.peer, "watcher");
	ck_assert_uint_eq(c.type, EIP_MSG_OBJ_NODE);
	ck_assert_uint_eq(zmsg_rejected(ch), 3);
	ck_assert_uint_eq(zmsg_received(ch), 1);

	event_free(tmo);
	zmsg_chan_free(ch);
	zmq_close(r);
	zmq_close(d);
	zmq_close(d2);
	zmq_ctx_term(zctx);
	event_base_free(c.base);
}
END_TEST

START_TEST(t_peer_role)
{
	enum eip_role r;

	ck_assert_int_eq(zmsg_peer_role("cloudworker-3", &r), 0);
	ck_assert_int_eq(r, EIP_ROLE_CLOUDWORKER);
	ck_assert_int_eq(zmsg_peer_role("watcher", &r), 0);
	ck_assert_int_eq(zmsg_peer_role("-x", &r), -1);
	ck_assert_int_eq(zmsg_peer_role("intruder", &r), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("zglue");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_burst);
	tcase_add_test(tc, t_rejects);
	tcase_add_test(tc, t_peer_role);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
