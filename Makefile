# Makefile — builds the rubric compiler/evaluator, its tests and its demo.
#
#   make            build/rubric, build/librubric.a and build/librubric.so
#   make test       unit tests (cmocka), CLI golden tests, template cases
#   make demo       install missing dependencies (as root), build, score samples
#   make test-report-browser   the HTML report in headless Chromium
#   make sanitize   the whole test suite under ASan + UBSan (+ LeakSanitizer)
#   make test-form  every form page (rubric form) in headless Chromium
#   make install PREFIX=/usr/local   (make test checks it into a scratch root)
#
# Every library source is src/*.c except the command line (src/main.c and
# src/cli_*.c); every unit test is tests/test_*.c (one binary each).
# Nothing needs listing here.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O2
CFLAGS_BASE = -std=c11 -D_POSIX_C_SOURCE=200809L -g $(OPT) -Wall -Wextra -Werror \
              -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Iinclude -Isrc -I$(BUILD)/gen
CFLAGS  += $(CFLAGS_BASE) $(SAN)
LDLIBS   = -lcsv -lnettle -lzip -lexpat -lxlsxwriter -lsqlite3
TESTLIBS = -lcmocka

CLI_SRC  = $(wildcard src/cli_*.c)
CLI_OBJ  = $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
LIB_SRC  = $(filter-out src/main.c $(CLI_SRC),$(wildcard src/*.c))
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/lexer.o $(BUILD)/obj/parser.o $(BUILD)/obj/diag_codes.o \
           $(BUILD)/obj/catalog_zh.o $(BUILD)/obj/form_assets.o
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

# Generated code is not ours to keep warning-free in every detail.
GEN_CFLAGS = -Wno-sign-compare -Wno-unused-function -Wno-unused-parameter \
             -Wno-missing-prototypes -Wno-shadow

.PHONY: po-check po-update all test unit-test cli-test template-test report-test test-report-browser install-test library-test docs-test golden-rbc demo sanitize install clean deps fuzz bench
all: $(BUILD)/rubric $(BUILD)/librubric.a $(BUILD)/librubric.so

$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: lang/parser.y
	@mkdir -p $(BUILD)/gen
	bison -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c $(BUILD)/gen/lexer.h &: lang/lexer.l $(BUILD)/gen/parser.h
	@mkdir -p $(BUILD)/gen
	flex --header-file=$(BUILD)/gen/lexer.h -o $(BUILD)/gen/lexer.c $<

# The diagnostic catalogue's titles and meanings, for SARIF's rules: the
# documentation is the one list.
$(BUILD)/gen/diag_codes.c: docs/diagnostics.md tools/diag_codes.awk
	@mkdir -p $(BUILD)/gen
	awk -f tools/diag_codes.awk docs/diagnostics.md > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/diag_codes.o: $(BUILD)/gen/diag_codes.c src/diag.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# the grammar's actions call into src/ (num.h's inline functions among them)
$(BUILD)/obj/lexer.o: $(BUILD)/gen/lexer.c $(BUILD)/gen/parser.h $(wildcard src/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GEN_CFLAGS) -c $< -o $@
$(BUILD)/obj/parser.o: $(BUILD)/gen/parser.c $(BUILD)/gen/lexer.h $(wildcard src/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GEN_CFLAGS) -c $< -o $@

# Translations are compiled into the library (src/lang.h says why).  po2c
# runs on the build machine, so it is built with the host compiler.
HOSTCC ?= cc
$(BUILD)/po2c: tools/po2c.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O2 -Wall -Wextra -Werror $< -o $@
$(BUILD)/gen/catalog_zh.c: po/zh_CN.po $(BUILD)/po2c
	@mkdir -p $(dir $@)
	$(BUILD)/po2c zh $< $@
$(BUILD)/obj/catalog_zh.o: $(BUILD)/gen/catalog_zh.c src/lang.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Messages for a person: every string given to these functions and macros
# (and every N_("...")) is extracted into the template rubric.pot.
# po-check fails when one lacks its Chinese translation or when a
# translation's placeholders differ from the English ones; po-update merges
# new messages into po/zh_CN.po for a translator.  No source locations and
# no creation date are written, so that two branches that each add messages
# touch only their own lines of the PO file.
PO_FUNCS    = rb_diag_add:5 rb_diag_help:2 ERR:4 WARN:4 rb_tr:2 N_:1 rb_eval_error:4 unit_error:4 rb_cli_usage_error:2 bc_fail:2 vr_fail:2 ref_fmt:6 STR:4 NUM:4 flag:4
PO_KEYWORDS = $(foreach f,$(PO_FUNCS),--keyword=$(firstword $(subst :, ,$(f))):$(lastword $(subst :, ,$(f))) \
                --flag=$(firstword $(subst :, ,$(f))):$(lastword $(subst :, ,$(f))):c-format)
PO_SOURCES  = $(sort $(wildcard src/*.c src/*.h)) lang/lexer.l lang/parser.y
$(BUILD)/po/rubric.pot: $(PO_SOURCES)
	@mkdir -p $(dir $@)
	@xgettext --language=C --from-code=UTF-8 --no-wrap --no-location --sort-output --keyword= $(PO_KEYWORDS) \
	  --package-name=rubric -o $@ $(PO_SOURCES) 2>$(BUILD)/po/xgettext.log || { cat $(BUILD)/po/xgettext.log; exit 1; }
po-check: $(BUILD)/po/rubric.pot
	@msgfmt --check-format --check-header -o /dev/null po/zh_CN.po
	@msgcmp po/zh_CN.po $(BUILD)/po/rubric.pot || { echo "po: the messages above lack a Chinese translation:" \
	  "run 'make po-update', then fill their empty msgstr in po/zh_CN.po (docs/translating.md)"; exit 1; }
	@echo "po: every message has a Chinese translation; 1 passed, 0 failed"
po-update: $(BUILD)/po/rubric.pot
	msgmerge --update --no-wrap --no-location --sort-output --backup=none po/zh_CN.po $(BUILD)/po/rubric.pot
	sed -i '/^"POT-Creation-Date: /d' po/zh_CN.po

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h include/*.h) $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# SARIF points at the documentation that `make install` puts here.
DOCDIR = $(PREFIX)/share/doc/rubric
$(BUILD)/obj/diag.o: CFLAGS += -DRUBRIC_DOCDIR='"$(DOCDIR)"'


# ---- the WebAssembly evaluator of `rubric form` (SPEC §15, docs/form.md) ----
# The same library sources, compiled by emscripten for wasm32, with the
# entry points of web/evaluator.c.  libcsv and nettle (sha256) are
# built from their Debian sources, fetched once by `tools/deps.sh wasm`
# (Debian ships them for the host only; docs/dependencies.md).  The result
# is one JavaScript file with the module inside (SINGLE_FILE), compiled
# synchronously so that the page scores as soon as it is parsed.  The
# Debian sources are fetched once for every build directory.
EMCC     ?= emcc
WASM     = $(BUILD)/wasm
DEBSRC   = build/debsrc
WASM_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Iinclude -Isrc -I$(BUILD)/gen -I$(WASM)/include
EMCC_ENV = NODE_PATH=/usr/share/nodejs   # emcc's own modules (acorn) when node is not Debian's
DEP_OBJ  = $(WASM)/dep/libcsv.o $(WASM)/dep/sha256.o $(WASM)/dep/sha256-compress.o \
           $(WASM)/dep/write-be32.o
# Every library module that compiles for wasm32 goes into an archive, and the
# link takes from it what web/evaluator.c reaches (loader, verifier, record
# reader, evaluator, result writer).  Modules that include the spreadsheet
# libraries (libzip, expat, libxlsxwriter), directly or through a header of
# ours, read and write files a page never sees: they stay out.
HOST_LIB_H = $(shell grep -l -E '^\#include <(zip|expat|xlsxwriter)\.h>' src/*.h)
HOST_ONLY  = $(shell grep -l -E '^\#include (<(zip|expat|xlsxwriter)\.h>$(foreach h,$(notdir $(HOST_LIB_H)),|"$(h)"))' $(LIB_SRC))
WASM_SRC   = $(filter-out $(HOST_ONLY),$(LIB_SRC))
WASM_OBJ = $(WASM_SRC:src/%.c=$(WASM)/obj/%.o) $(WASM)/obj/lexer.o $(WASM)/obj/parser.o $(WASM)/obj/diag_codes.o \
           $(WASM)/obj/catalog_zh.o
WASM_EXPORTS = _rbw_load,_rbw_error,_rbw_score,_rbw_total,_malloc,_free

$(DEBSRC)/.fetched: tools/deps.sh
	@sh tools/deps.sh wasm $(DEBSRC)
# The libraries' public headers where our sources include them from.
$(WASM)/include/.done: $(DEBSRC)/.fetched
	@mkdir -p $(WASM)/include/nettle
	cp $(DEBSRC)/nettle/sha2.h $(DEBSRC)/nettle/nettle-types.h $(WASM)/include/nettle/
	cp $(DEBSRC)/libcsv/csv.h $(WASM)/include/
	@touch $@
$(WASM)/dep/%.o: $(WASM)/include/.done
	@mkdir -p $(dir $@)
	src=$$(ls $(DEBSRC)/libcsv/$*.c $(DEBSRC)/nettle/$*.c 2>/dev/null | head -n 1); \
	  $(EMCC_ENV) $(EMCC) -O2 -w -I$(WASM)/include -c $$src -o $@
$(WASM)/obj/%.o: src/%.c $(wildcard src/*.h include/*.h) $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h $(WASM)/include/.done
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(WASM_CFLAGS) -c $< -o $@
$(WASM)/obj/%.o: $(BUILD)/gen/%.c $(BUILD)/gen/parser.h $(WASM)/include/.done
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(WASM_CFLAGS) $(GEN_CFLAGS) -c $< -o $@
$(WASM)/librubric.a: $(WASM_OBJ)
	rm -f $@
	$(EMCC_ENV) emar rcs $@ $^
$(WASM)/evaluator.js: web/evaluator.c include/rubric.h $(WASM)/librubric.a $(DEP_OBJ)
	$(EMCC_ENV) $(EMCC) $(WASM_CFLAGS) web/evaluator.c $(WASM)/librubric.a $(DEP_OBJ) -o $@ \
	  -sSINGLE_FILE=1 -sWASM_ASYNC_COMPILATION=0 -sMODULARIZE=1 -sEXPORT_NAME=RubricEvaluator \
	  -sENVIRONMENT=web,node -sALLOW_MEMORY_GROWTH=1 -sFILESYSTEM=0 \
	  -sEXPORTED_FUNCTIONS=$(WASM_EXPORTS) -sEXPORTED_RUNTIME_METHODS=cwrap,HEAPU8
wasm: $(WASM)/evaluator.js
.PHONY: wasm wasm-test test-form

# The page's stylesheet, script and evaluator, carried by the binary.
$(BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O2 -Wall -Wextra -Werror $< -o $@
$(BUILD)/gen/form_assets.c: $(BUILD)/embed web/form.css web/form.js $(WASM)/evaluator.js
	@mkdir -p $(dir $@)
	$(BUILD)/embed $@ rb_form_css=web/form.css rb_form_js=web/form.js rb_form_evaluator_js=$(WASM)/evaluator.js
$(BUILD)/obj/form_assets.o: $(BUILD)/gen/form_assets.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/librubric.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# The shared library exports the public API (include/rubric.h) and nothing
# else: every rubric_* symbol, through lib/librubric.map.  Its objects are the
# static library's, which is why they are compiled -fPIC.
SONAME = librubric.so.0
$(LIB_OBJ): CFLAGS += -fPIC
$(LIB_OBJ): Makefile
$(BUILD)/librubric.so: $(LIB_OBJ) src/librubric.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/librubric.map $(LIB_OBJ) $(LDLIBS) -o $@

$(BUILD)/rubric: src/main.c $(CLI_OBJ) $(BUILD)/librubric.a
	$(CC) $(CFLAGS) $< $(CLI_OBJ) $(BUILD)/librubric.a $(LDLIBS) -o $@

# Unit tests may call the command-line code too (test_fmt runs `fmt`).
$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(CLI_OBJ) $(BUILD)/librubric.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $< $(CLI_OBJ) $(BUILD)/librubric.a $(LDLIBS) $(TESTLIBS) -o $@

$(BUILD)/api-example: docs/api-example.c $(BUILD)/librubric.a
	$(CC) $(CFLAGS) $< $(BUILD)/librubric.a $(LDLIBS) -o $@

test: unit-test cli-test template-test report-test install-test po-check library-test docs-test

unit-test: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; $$t; done

cli-test: $(BUILD)/rubric $(BUILD)/api-example
	@RUBRIC=$(BUILD)/rubric API_EXAMPLE=$(BUILD)/api-example sh tests/cli/run.sh

# make install into a scratch root: the installed binary runs, and the API
# example builds against the installed header and library alone.
install-test: all
	@rm -rf $(BUILD)/install-root
	@$(MAKE) --no-print-directory install DESTDIR=$(BUILD)/install-root PREFIX=/usr >/dev/null
	@$(BUILD)/install-root/usr/bin/rubric --version
	@$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Werror -Wall $(SAN) -I$(BUILD)/install-root/usr/include docs/api-example.c \
	  $(BUILD)/install-root/usr/lib/librubric.a $(LDLIBS) -o $(BUILD)/install-root/api-example
	@$(BUILD)/install-root/api-example >/dev/null
	@$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Werror -Wall $(SAN) -I$(BUILD)/install-root/usr/include docs/api-example.c \
	  -L$(BUILD)/install-root/usr/lib -lrubric -o $(BUILD)/install-root/api-example-shared
	@LD_LIBRARY_PATH=$(BUILD)/install-root/usr/lib $(BUILD)/install-root/api-example-shared >/dev/null
	@test -L $(BUILD)/install-root/usr/lib/librubric.so && test -f $(BUILD)/install-root/usr/lib/$(SONAME)
	@echo "install: 4 passed, 0 failed"

# The library as an embedder sees it: the shared object's dynamic symbols are
# the API only, no library object calls exit/abort or allocates behind
# alloc.h's back, and rubric.h compiles as C++.
CXX ?= c++
library-test: $(BUILD)/librubric.so $(BUILD)/librubric.a
	@BUILD=$(BUILD) CXX="$(CXX)" sh tests/library.sh

# tests/golden/form.rbc pins the bytes of the current .rbc format
# (tests/test_golden.c); after a deliberate format change and its version
# bump, this rewrites it.
golden-rbc: $(BUILD)/rubric
	$(BUILD)/rubric compile tests/golden/form.rubric -o tests/golden/form.rbc

# The examples of the guides run (tests/doc_examples.py says how a block is
# read, docs/translating.md how to tag one): each template followed by its
# `$ rubric check` output must give that output, each whole template must
# check.  docs/zh/*.md are run the same way, in Chinese.
DOC_EXAMPLES = docs/diagnostics.md docs/language.md $(wildcard docs/zh/*.md)
docs-test: $(BUILD)/rubric
	@/usr/bin/python3 tests/doc_examples.py $(BUILD)/rubric $(DOC_EXAMPLES)

# The form page's evaluator (WebAssembly, under Node) prints what the
# native one prints, byte for byte, on every template's records and cases.
test: wasm-test
wasm-test: $(BUILD)/rubric $(WASM)/evaluator.js
	@node tests/form/wasm.js $(BUILD)/rubric $(WASM)/evaluator.js

# Every template's page in headless Chromium, with no network (tests/form/run.js):
# each case opened with #record= agrees with `rubric score`; typing, Save,
# print to PDF.  PDFs and page-1 PNGs are left in $(BUILD)/form-test.
# FORM_TEMPLATES= limits it to some templates.
test-form: $(BUILD)/rubric
	@sh tools/deps.sh browser
	@node tests/form/run.js $(BUILD)/rubric $(BUILD)/form-test $(FORM_TEMPLATES)

template-test: $(BUILD)/rubric
	@RUBRIC=$(BUILD)/rubric sh tests/templates.sh

# `rubric report` recomputed independently (tests/report/check.py: Python's
# exact fractions over score's NDJSON) and compared in every format.
report-test: $(BUILD)/rubric
	@RUBRIC=$(BUILD)/rubric sh tests/report/run.sh

# The HTML report in headless Chromium: PDF, PNG, DOM (tests/report/browser.sh).
# Not part of `make test` (a browser start costs seconds); .ci/run runs it.
test-report-browser: $(BUILD)/rubric
	@sh tools/deps.sh browser
	@RUBRIC=$(BUILD)/rubric sh tests/report/browser.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@RUBRIC=$(BUILD)/rubric sh tools/demo.sh

deps:
	@sh tools/deps.sh

# tools/lsan.supp names the one leak inside a Debian library (libxlsxwriter).
sanitize:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 $(MAKE) BUILD=build-san CC=clang OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

# Throughput against the alternatives on this machine (bench/run.sh): N records
# (default 100000) of the sales and cs_weekly forms, NDJSON and CSV in.
bench: all
	@sh tools/deps.sh bench
	@RUBRIC=$(BUILD)/rubric sh bench/run.sh

# libFuzzer targets (clang); not part of `make test`.  Each runs FUZZ_SECONDS:
# the bytecode loader + verifier (+ the evaluator on what it accepts), the
# whole compiler + fmt on template text, and the record readers + evaluator
# on record streams.  Seeds for compile and records: tests/fuzz/corpus/TARGET
# (checked in, a few dozen small files each, never written to).  Seeds for
# bytecode: the seed templates compiled by this build, never checked-in .rbc
# files, which would go stale at every format bump.  What the fuzzer finds
# goes to $(BUILD)/fuzz-corpus.  .ci/run runs each target for a few seconds
# (`make fuzz FUZZ_SECONDS=5`).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = fuzz_bytecode fuzz_compile fuzz_records
FUZZ_LIB_SRC = $(LIB_SRC) $(BUILD)/gen/lexer.c $(BUILD)/gen/parser.c $(BUILD)/gen/diag_codes.c $(BUILD)/gen/catalog_zh.c \
               $(BUILD)/gen/form_assets.c
FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 -print_final_stats=0
fuzz: all
	@mkdir -p $(BUILD)/fuzz $(BUILD)/fuzz-corpus/bytecode $(BUILD)/fuzz-corpus/compile $(BUILD)/fuzz-corpus/records
	@mkdir -p $(BUILD)/fuzz/obj
	@# the library once (instrumented), then each target links it
	@for f in $(FUZZ_LIB_SRC); do \
	  clang -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all $(CFLAGS_BASE) $(GEN_CFLAGS) -c $$f \
	    -o $(BUILD)/fuzz/obj/$$(basename $$f .c).o || exit 1; done
	@for t in $(FUZZ_TARGETS); do \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(CFLAGS_BASE) $(GEN_CFLAGS) tests/fuzz/$$t.c \
	    $(BUILD)/fuzz/obj/*.o $(LDLIBS) -o $(BUILD)/fuzz/$$t || exit 1; done
	@for t in tests/fuzz/corpus/compile/*.rubric; do \
	  $(BUILD)/rubric compile $$t -o $(BUILD)/fuzz-corpus/bytecode/$$(basename $$t .rubric).rbc >/dev/null 2>&1; done; true
	$(BUILD)/fuzz/fuzz_bytecode $(FUZZ_FLAGS) -max_len=65536 $(BUILD)/fuzz-corpus/bytecode
	$(BUILD)/fuzz/fuzz_compile $(FUZZ_FLAGS) -max_len=16384 $(BUILD)/fuzz-corpus/compile tests/fuzz/corpus/compile
	$(BUILD)/fuzz/fuzz_records $(FUZZ_FLAGS) -max_len=16384 $(BUILD)/fuzz-corpus/records tests/fuzz/corpus/records

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BUILD)/rubric $(DESTDIR)$(PREFIX)/bin/rubric
	install -m 644 $(BUILD)/librubric.a $(DESTDIR)$(PREFIX)/lib/librubric.a
	install -m 755 $(BUILD)/librubric.so $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/librubric.so
	install -m 644 include/rubric.h $(DESTDIR)$(PREFIX)/include/rubric.h
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/

clean:
	rm -rf build build-san   # build/debsrc too: the next build fetches it again
