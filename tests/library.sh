#!/bin/sh
# library.sh — librubric as an embedder links it:
#  1. build/librubric.so exports exactly the functions rubric.h declares,
#     and tests/test_api.c calls every one of them;
#  2. no library object calls exit/abort, or malloc/free behind alloc.h's
#     back (a block freed with free() would stay in a failed call's zone, and
#     be freed twice: use rb_xmalloc/rb_free, see src/alloc.h);
#  3. rubric.h compiles as C++, and a C++ program runs on the shared library.
# Run by `make library-test` (part of `make test`) with BUILD, CXX and SAN.
BUILD=${BUILD:-build}
CXX=${CXX:-c++}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rubric-lib.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL library: $*"; }

# 1. the exported symbols are the declared functions, no more, no fewer
nm -D --defined-only "$BUILD/librubric.so" | awk '{print $NF}' | sort -u > "$tmp/exported"
grep -o '\brubric_[a-z_]*(' include/rubric.h | tr -d '(' | sort -u > "$tmp/declared"
if [ ! -s "$tmp/declared" ]; then
  bad "no function found in include/rubric.h"
elif diff "$tmp/declared" "$tmp/exported" > "$tmp/diff"; then
  ok
else
  bad "librubric.so exports (>) other than rubric.h declares (<):"; cat "$tmp/diff"
fi

# 1b. tests/test_api.c calls every function the header declares
missing=$(while read -r f; do grep -q "\b$f(" tests/test_api.c || echo "$f"; done < "$tmp/declared")
if [ -n "$missing" ]; then
  bad "tests/test_api.c does not call:" $missing
else
  ok
fi

# 2. library objects: no exit/abort, no allocation outside alloc.c and arena.c
nm -A "$BUILD/librubric.a" 2>/dev/null |
  awk '$2 == "U" && $3 ~ /^(exit|_exit|_Exit|abort|malloc|calloc|realloc|free|strdup|strndup|reallocarray)$/ {print}' |
  grep -v -e 'librubric.a:alloc.o:' -e 'librubric.a:arena.o:' > "$tmp/calls"
if [ -s "$tmp/calls" ]; then
  bad "library objects that exit, abort or allocate directly (use rb_xmalloc/rb_free, src/alloc.h):"; cat "$tmp/calls"
else
  ok
fi

# 3. C++: the header compiles warning-free, and the API example runs on the
# shared library
if $CXX -std=c++11 -Wall -Wextra -Werror -pedantic $SAN -Iinclude -x c++ docs/api-example.c \
     -L"$BUILD" -lrubric -o "$tmp/api-example-cxx" 2> "$tmp/cxx.log"; then
  ln -s "$(cd "$BUILD" && pwd)/librubric.so" "$tmp/librubric.so.0"  # its soname
  if LD_LIBRARY_PATH="$tmp" "$tmp/api-example-cxx" > "$tmp/out" 2>&1 &&
     grep -q 'total 90, grade excellent' "$tmp/out"; then
    ok
  else
    bad "the C++ API example did not run on librubric.so:"; cat "$tmp/out"
  fi
else
  bad "include/rubric.h does not compile as C++:"; cat "$tmp/cxx.log"
fi

echo "library: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
