/* testutil.h — what every cmocka unit test includes. */
#ifndef RUBRIC_TESTUTIL_H
#define RUBRIC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#endif
