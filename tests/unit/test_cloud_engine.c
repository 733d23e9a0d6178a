/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudworker/cw.c with a stand-in provider: one ENSURE at a time per
 * node, independent nodes in parallel up to the limit, a newer ENSURE
 * replacing one not yet started (both answered), every task answered
 * exactly once with its correlation id, answers before CLOUD_CONFIG,
 * and providers that answer at once.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cw_int.h"
#include "testutil.h"

#define MAXT	64

static struct cw_task *started[MAXT];
static int nstarted;
static int answer_at_once;

struct reply {
	uint16_t	type;
	uint64_t	corr;
	char		node[64];
	char		cls[32];
};
static struct reply replies[MAXT];
static int nreplies;

static void
fake_send(struct cw *cw, uint16_t type, uint64_t corr, const json_t *b)
{
	struct reply *r = &replies[nreplies++];

	(void)cw;
	ck_assert_int_lt(nreplies, MAXT);
	r->type = type;
	r->corr = corr;
	snprintf(r->node, sizeof(r->node), "%s", json_string_value(
	    json_object_get(b, "node")) ? json_string_value(json_object_get(b,
	    "node")) : "");
	snprintf(r->cls, sizeof(r->cls), "%s", json_string_value(
	    json_object_get(b, "class")) ? json_string_value(json_object_get(b,
	    "class")) : "");
}

static void
fake_ensure(void *arg, struct cw_task *t)
{
	(void)arg;
	ck_assert_int_lt(nstarted, MAXT);
	started[nstarted++] = t;
	if (answer_at_once)
		cw_task_done(t, cw_ensure_reply(t, CC_OK, NULL, NULL, 0, -1));
}

static void
fake_discover(void *arg, struct cw_task *t)
{
	(void)arg;
	cw_task_done(t, json_pack("{s:[], s:[]}", "nodes", "subnets"));
}

static struct cw *
engine(struct event_base **base, int configured)
{
	struct cw *cw;
	char err[128];
	json_t *boot = json_object();

	*base = event_base_new();
	cw = cw_new(*base, NULL, 0, boot, err, sizeof(err));
	json_decref(boot);
	cw->send = fake_send;
	if (configured) {
		cw->prov.name = "fake";
		cw->prov.ensure = fake_ensure;
		cw->prov.discover = fake_discover;
	}
	nstarted = nreplies = answer_at_once = 0;
	return cw;
}

static void
ensure(struct cw *cw, const char *node, uint64_t corr)
{
	struct eip_msg m;

	memset(&m, 0, sizeof(m));
	m.type = EIP_MSG_CLOUD_ENSURE;
	m.corr = corr;
	m.body = json_pack("{s:s, s:[s], s:[s]}", "node", node, "owned_cidrs",
	    "10.0.0.0/24", "desired", "10.0.0.5");
	cw_message(cw, &m);
	json_decref(m.body);
}

static void
finish(int i)
{
	cw_task_done(started[i], cw_ensure_reply(started[i], CC_OK, NULL, NULL,
	    0, -1));
}

static int
replied(uint64_t corr)
{
	int i, n = 0;

	for (i = 0; i < nreplies; i++)
		n += replies[i].corr == corr;
	return n;
}

START_TEST(t_serial_per_node)
{
	struct event_base *base;
	struct cw *cw = engine(&base, 1);

	ensure(cw, "n1", 1);
	ensure(cw, "n1", 2);
	ensure(cw, "n1", 3);	/* replaces 2, which never starts */
	ensure(cw, "n2", 4);
	ck_assert_int_eq(nstarted, 2);
	ck_assert_uint_eq(started[0]->corr, 1);
	ck_assert_uint_eq(started[1]->corr, 4);
	ck_assert_int_eq(nreplies, 0);
	finish(0);
	ck_assert_int_eq(replied(1), 1);
	ck_assert_int_eq(nstarted, 3);
	ck_assert_uint_eq(started[2]->corr, 3);
	finish(1);
	ck_assert_int_eq(replied(4), 1);
	finish(2);
	/* The replaced request learns the outcome of the newer one. */
	ck_assert_int_eq(replied(3), 1);
	ck_assert_int_eq(replied(2), 1);
	ck_assert_int_eq(nreplies, 4);
	ck_assert_uint_eq(cw->running, 0);
	ck_assert_ptr_null(cw->nics);
	cw_free(cw);
	event_base_free(base);
}
END_TEST

START_TEST(t_parallel_limit)
{
	struct event_base *base;
	struct cw *cw = engine(&base, 1);
	char name[16];
	int i;

	cw->max_running = 3;
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		ensure(cw, name, 10 + (uint64_t)i);
	}
	ck_assert_int_eq(nstarted, 3);
	/* A queued node's newer request replaces its older one there too. */
	ensure(cw, "n4", 20);
	ck_assert_int_eq(nstarted, 3);
	finish(1);
	ck_assert_int_eq(nstarted, 4);
	ck_assert_uint_eq(started[3]->corr, 13);
	finish(0);
	finish(2);
	finish(3);
	ck_assert_int_eq(nstarted, 5);
	ck_assert_uint_eq(started[4]->corr, 20);
	finish(4);
	ck_assert_int_eq(replied(14), 1);
	ck_assert_int_eq(replied(20), 1);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(replied(10 + (uint64_t)i), 1);
	ck_assert_int_eq(nreplies, 6);
	cw_free(cw);
	event_base_free(base);
}
END_TEST

START_TEST(t_unconfigured_and_at_once)
{
	struct event_base *base;
	struct cw *cw = engine(&base, 0);
	struct eip_msg m;
	char name[16];
	int i;

	ensure(cw, "n1", 7);
	ck_assert_int_eq(nreplies, 1);
	ck_assert_str_eq(replies[0].cls, "transient");
	ck_assert_uint_eq(replies[0].corr, 7);
	memset(&m, 0, sizeof(m));
	m.type = EIP_MSG_CLOUD_DISCOVER;
	m.corr = 8;
	m.body = json_pack("{s:[{s:s}], s:[s]}", "nodes", "name", "n1",
	    "cidrs", "10.0.0.0/24");
	cw_message(cw, &m);
	ck_assert_int_eq(nreplies, 2);
	ck_assert_uint_eq(replies[1].type, EIP_MSG_CLOUD_DISCOVERED);
	cw_free(cw);
	event_base_free(base);

	/* A provider that answers inside ensure(): no recursion, all answered. */
	cw = engine(&base, 1);
	answer_at_once = 1;
	cw->max_running = 2;
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "n%d", i % 7);
		ensure(cw, name, 100 + (uint64_t)i);
	}
	ck_assert_int_eq(nreplies, 50);
	cw_message(cw, &m);
	ck_assert_int_eq(nreplies, 51);
	ck_assert_uint_eq(replies[50].corr, 8);
	json_decref(m.body);
	ck_assert_uint_eq(cw->running, 0);
	cw_free(cw);
	event_base_free(base);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cloud_engine");
	TCase *tc = tcase_create("engine");

	tcase_add_test(tc, t_serial_per_node);
	tcase_add_test(tc, t_parallel_limit);
	tcase_add_test(tc, t_unconfigured_and_at_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
