/* SPDX-License-Identifier: Apache-2.0 */
/* eipamd: the supervisor (work in progress: skeleton only). */
#include <stdio.h>
#include "config.h"
int
main(void)
{
	printf("%s\n", PACKAGE_VERSION);
	return 0;
}
