/* SPDX-License-Identifier: Apache-2.0 */
/* Shared boilerplate for the Check unit tests. */
#ifndef EIP_TESTUTIL_H
#define EIP_TESTUTIL_H

#include <check.h>
#include <stdlib.h>

static inline int
eip_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
