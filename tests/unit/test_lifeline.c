/* SPDX-License-Identifier: Apache-2.0 */
/* common/lifeline.c: packets, rejects, EOF. */
#include <check.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "lifeline.h"
#include "testutil.h"

struct lctx {
	struct event_base	*base;
	int			 msgs;
	int			 eof;
	uint16_t		 last;
};

static void
on_msg(struct lifeline *l, struct eip_msg *m, void *arg)
{
	struct lctx *c = arg;

	c->msgs++;
	c->last = m->type;
}

static void
on_eof(struct lifeline *l, void *arg)
{
	struct lctx *c = arg;

	c->eof = 1;
	event_base_loopexit(c->base, NULL);
}

START_TEST(t_lifeline)
{
	struct lctx c = { 0 };
	struct lifeline *l;
	struct eip_msg m;
	struct eip_hdr h = { EIP_PROTO_MAGIC, EIP_PROTO_VERSION,
	    EIP_MSG_BOOT, 0, 0 };
	uint8_t pkt[EIP_HDR_LEN + 16];
	char err[256];
	json_t *b;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	c.base = event_base_new();
	l = lifeline_new(c.base, sv[0], EIP_ROLE_SUPERVISOR, EIP_ROLE_WATCHER,
	    on_msg, on_eof, &c);
	b = json_pack("{s:i}", "seq", 1);
	ck_assert_int_eq(lifeline_write(sv[1], EIP_MSG_HEARTBEAT, 0, b), 0);
	/* short packet */
	ck_assert_int_eq(send(sv[1], "abc", 3, 0), 3);
	/* BOOT may not come from a worker */
	eip_hdr_pack(&h, pkt);
	memcpy(pkt + EIP_HDR_LEN, "{}", 2);
	ck_assert_int_eq(send(sv[1], pkt, EIP_HDR_LEN + 2, 0), EIP_HDR_LEN + 2);
	/* bad JSON */
	h.type = EIP_MSG_HEARTBEAT;
	eip_hdr_pack(&h, pkt);
	memcpy(pkt + EIP_HDR_LEN, "{\"seq\":", 7);
	ck_assert_int_eq(send(sv[1], pkt, EIP_HDR_LEN + 7, 0), EIP_HDR_LEN + 7);
	ck_assert_int_eq(lifeline_write(sv[1], EIP_MSG_HEARTBEAT, 0, b), 0);
	close(sv[1]);
	event_base_dispatch(c.base);
	ck_assert_int_eq(c.msgs, 2);
	ck_assert_uint_eq(lifeline_rejected(l), 3);
	ck_assert_int_eq(c.eof, 1);
	lifeline_free(l);

	/* Blocking read with a timeout, and the role check on receipt. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	ck_assert_int_eq(lifeline_read(sv[0], EIP_ROLE_WATCHER, 50, &m, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "timed out");
	json_decref(b);
	b = json_pack("{s:s}", "level", "debug");
	ck_assert_int_eq(lifeline_write(sv[1], EIP_MSG_SET_LOG_LEVEL, 0, b), 0);
	ck_assert_int_eq(lifeline_read(sv[0], EIP_ROLE_WATCHER, 1000, &m, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(m.type, EIP_MSG_SET_LOG_LEVEL);
	eip_msg_clear(&m);
	close(sv[0]);
	close(sv[1]);
	json_decref(b);
	event_base_free(c.base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lifeline");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_lifeline);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
