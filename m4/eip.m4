# SPDX-License-Identifier: Apache-2.0
# EIP_CHECK_CFLAG(flag, if-ok, if-not): try compiling with a flag, as
# OpenSSH's OSSH_CHECK_CFLAG_COMPILE does, so unsupported ones are skipped.
AC_DEFUN([EIP_CHECK_CFLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	eip_saved_CFLAGS="$CFLAGS"
	CFLAGS="$CFLAGS -Werror $1"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>]], [[puts("x"); return 0;]])],
	    [AC_MSG_RESULT([yes]); CFLAGS="$eip_saved_CFLAGS"; $2],
	    [AC_MSG_RESULT([no]); CFLAGS="$eip_saved_CFLAGS"; $3])
])
AC_DEFUN([EIP_CHECK_LDFLAG], [
	AC_MSG_CHECKING([whether $CC links with $1])
	eip_saved_LDFLAGS="$LDFLAGS"
	LDFLAGS="$LDFLAGS -Werror $1"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>]], [[puts("x"); return 0;]])],
	    [AC_MSG_RESULT([yes]); LDFLAGS="$eip_saved_LDFLAGS"; $2],
	    [AC_MSG_RESULT([no]); LDFLAGS="$eip_saved_LDFLAGS"; $3])
])
