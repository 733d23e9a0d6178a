/* SPDX-License-Identifier: Apache-2.0 */
/* metricsd/metrics.c: readiness and exposition from snapshots. */
#include <check.h>
#include <string.h>

#include "metrics.h"
#include "testutil.h"

START_TEST(t_ready_and_render)
{
	struct metrics_state st;
	char why[128], *page;
	size_t len;
	json_t *procs, *gauges;

	metrics_init(&st);
	ck_assert(!metrics_ready(&st, 100, why, sizeof(why)));
	ck_assert_str_eq(why, "no process report from the supervisor");
	procs = json_loads("{\"procs\":[{\"role\":\"supervisor\",\"instance\":0,"
	    "\"pid\":1,\"up\":true,\"ready\":true,\"restarts\":0},"
	    "{\"role\":\"watcher\",\"instance\":0,\"pid\":2,\"up\":true,"
	    "\"ready\":false,\"restarts\":3,\"rss_bytes\":1000,\"cpu_ms\":1500,"
	    "\"fds\":7}]}", 0, NULL);
	metrics_set_procs(&st, procs, 100);
	ck_assert(!metrics_ready(&st, 100, why, sizeof(why)));
	ck_assert_str_eq(why, "watcher is not ready");
	json_object_set_new(json_array_get(json_object_get(procs, "procs"), 1),
	    "ready", json_true());
	metrics_set_procs(&st, procs, 100);
	ck_assert(!metrics_ready(&st, 100, why, sizeof(why)));
	ck_assert_str_eq(why, "no state from the allocator");
	gauges = json_pack("{s:b,s:b,s:{}}", "synced", 0, "leader", 1, "data");
	metrics_set_gauges(&st, gauges, 100);
	ck_assert(!metrics_ready(&st, 101, why, sizeof(why)));
	json_object_set_new(gauges, "synced", json_true());
	metrics_set_gauges(&st, gauges, 101);
	ck_assert(metrics_ready(&st, 102, why, sizeof(why)));
	/* Stale process reports make the pod unready. */
	ck_assert(!metrics_ready(&st, 200, why, sizeof(why)));

	page = metrics_render(&st, &len);
	ck_assert_uint_eq(strlen(page), len);
	ck_assert_ptr_nonnull(strstr(page,
	    "eipam_worker_restarts_total{role=\"watcher\",instance=\"0\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(page,
	    "eipam_process_cpu_seconds_total{role=\"watcher\",instance=\"0\"} 1.5\n"));
	ck_assert_ptr_nonnull(strstr(page, "# TYPE eipam_leader gauge\neipam_leader 1\n"));
	free(page);
	json_decref(procs);
	json_decref(gauges);
	metrics_clear(&st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_ready_and_render);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
