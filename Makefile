# Build, test, run and install the suite.  Variables a packager may set:
# CC, CFLAGS, CPPFLAGS, LDFLAGS, PREFIX, DESTDIR; WERROR= to build without
# -Werror.  `make sanitize` builds the same programs with ASan + UBSan
# under build/san/.

PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
WERROR  ?= -Werror

# Where this build's objects and programs go: `make sanitize` changes them.
BUILD   ?= build
OUT     ?= .

WARN    = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wwrite-strings -Wno-format-nonliteral $(WERROR)
FORTIFY ?= -D_FORTIFY_SOURCE=2
HARDEN  = -fstack-protector-strong -fPIE -Werror=format-security \
          -ffunction-sections -fdata-sections
# --gc-sections drops the functions no route of a program reaches, and
# --as-needed then records only the libraries the rest calls: content and
# login never load libcurl and its TLS stack (a few MiB a process).
LDHARDEN = -pie -Wl,-z,relro,-z,now -Wl,--as-needed -Wl,--gc-sections

# pkg-config for each library, with the usual flags when a .pc is missing.
PKGS = fcgi libcurl json-c openssl nettle libpq
PKG_CFLAGS := $(shell for p in $(PKGS); do pkg-config --cflags $$p 2>/dev/null; done)
pc_libs = $(or $(shell pkg-config --libs $(1) 2>/dev/null),$(2))
# libcurl only for the programs that call WorkOS over HTTP: GNU ld's
# --as-needed still records a library that only sections --gc-sections
# dropped refer to, so the others (content, login, webhook, the tools but
# workos-sync) are linked without it, and load none of its dependencies.
HTTP_PROGS = callback session workos-sync
CURL_LIBS := $(call pc_libs,libcurl,-lcurl)
prog_libs = $(if $(filter $(1),$(HTTP_PROGS)),$(CURL_LIBS)) $(PKG_LIBS)
PKG_LIBS := $(call pc_libs,fcgi,-lfcgi) \
	$(call pc_libs,json-c,-ljson-c) $(call pc_libs,openssl,-lssl -lcrypto) $(call pc_libs,nettle,-lnettle) \
	$(call pc_libs,libpq,-lpq)
LIBPQ_INC := $(shell pg_config --includedir 2>/dev/null)

ALL_CPPFLAGS = -Ilib $(PKG_CFLAGS) $(if $(LIBPQ_INC),-I$(LIBPQ_INC)) $(FORTIFY) $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS)
ALL_LDFLAGS  = $(LDHARDEN) $(LDFLAGS)

LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBAPP   = $(BUILD)/libapp.a
CGIS     = content login callback session webhook
PROGS    = $(CGIS:%=$(OUT)/cgi-bin/%.fcgi)
TOOLS    = $(OUT)/bin/migrate $(OUT)/bin/token $(OUT)/bin/workos-sync
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
REPLAYS  = $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay-%)

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all sanitize units fuzz fuzz-merge test check run migrate token psql bench deps clean \
	install uninstall help

# Objects are kept between builds (they are intermediate files of the
# pattern rules, which make would otherwise delete, and rebuild every time).
.SECONDARY:

all: $(PROGS) $(TOOLS)

help:
	@echo "make              build the FastCGI programs and tools (bin/migrate, bin/token)"
	@echo "make run          serve the suite on http://127.0.0.1:1337 with Postgres and the fake"
	@echo "                  WorkOS (PORT=n for another port; installs what it needs)"
	@echo "make token        print a JWT of the running make run's development user;"
	@echo "                  ORG=org_demo ROLE=admin makes it a member who may write blog posts"
	@echo "make psql         open psql on the running make run's database"
	@echo "make test         build everything and run every test (installs what it needs)"
	@echo "make check        the same as make test"
	@echo "make units        build the C unit tests and the fuzz replayers"
	@echo "make sanitize     build the programs and unit tests with ASan + UBSan under build/san/"
	@echo "make fuzz         run libFuzzer on each fuzz target for FUZZ_TIME seconds or FUZZ_RUNS"
	@echo "                  executions (needs clang)"
	@echo "make fuzz-merge   add to the committed corpora what make fuzz found that reaches new code"
	@echo "make migrate      apply pending sql/ migrations to DATABASE_URL"
	@echo "make bench        the suite under lighttpd next to its limits (SCALE= PROCS= DURATION= HOSTS= STRAPI=)"
	@echo "make deps         install the Debian packages the suite needs, when any is missing"
	@echo "make install      install under PREFIX (/usr/local), staged under DESTDIR if set"
	@echo "make uninstall    remove what make install installed (same PREFIX and DESTDIR)"
	@echo "make clean        remove what the build made (not ./var, the data of make run)"
	@echo "make help         this list"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBAPP): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(OUT)/cgi-bin/%.fcgi: $(BUILD)/cgi-bin/%.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(call prog_libs,$*)

$(OUT)/bin/%: $(BUILD)/tools/%.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(call prog_libs,$*)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(PKG_LIBS)

# Each fuzz target linked with a driver that replays its seed corpus, and
# with the arena and string buffer built as for fuzzing (ARENA_MALLOC: one
# malloc() per allocation), which the linker takes before libapp.a's.
$(BUILD)/fuzz/%-malloc.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DARENA_MALLOC $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/replay-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o \
		$(BUILD)/fuzz/arena-malloc.o $(BUILD)/fuzz/sbuf-malloc.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(PKG_LIBS)

units: $(UNITS) $(REPLAYS)

# libFuzzer needs clang: `make fuzz` runs every target (FUZZ_TARGETS="qs
# json" for some) for FUZZ_TIME seconds or FUZZ_RUNS executions each,
# whichever comes first, growing its corpus under build/fuzz/corpus/ (seeds
# stay in tests/fuzz/corpus/), and prints the executions per target.  The
# arena gives each allocation its own malloc() there (ARENA_MALLOC), as in
# the corpus replays, so ASan sees every overflow.
FUZZ_TIME ?= $(if $(FUZZ_RUNS),,60)
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_CFLAGS = -O1 -g -DARENA_MALLOC -fsanitize=fuzzer-no-link $(SANFLAGS)

fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	$(MAKE) BUILD=build/fuzz-clang OUT=build/fuzz-clang CC=clang FORTIFY= \
		CFLAGS="$(FUZZ_CFLAGS)" LDFLAGS="-fsanitize=fuzzer $(SANFLAGS)" \
		$(FUZZ_TARGETS:%=build/fuzz-clang/fuzz-%)
	FUZZ_TIME="$(FUZZ_TIME)" FUZZ_RUNS="$(FUZZ_RUNS)" sh tools/fuzz.sh $(FUZZ_TARGETS)

# Add to the committed corpora what make fuzz found that reaches new code
# (libFuzzer's -merge=1 into the existing seeds, which stay as they are;
# what it adds is named gen-<hash>).  Only new edges count, not new hit
# counts, so a corpus stays a few hundred files.
fuzz-merge:
	@for n in $(FUZZ_TARGETS); do \
		[ -x build/fuzz-clang/fuzz-$$n ] && [ -d build/fuzz/corpus/$$n ] || continue; \
		before=$$(ls tests/fuzz/corpus/$$n | wc -l); \
		build/fuzz-clang/fuzz-$$n -merge=1 -use_counters=0 -use_value_profile=0 \
			tests/fuzz/corpus/$$n build/fuzz/corpus/$$n \
			>build/fuzz/log/$$n-merge.log 2>&1 || { echo "merge of $$n failed"; exit 1; }; \
		for f in tests/fuzz/corpus/$$n/*; do \
			b=$${f##*/}; \
			case $$b in *[!0-9a-f]*) continue ;; esac; \
			[ $${#b} = 40 ] && mv "$$f" tests/fuzz/corpus/$$n/gen-$$(echo $$b | cut -c1-12); \
		done; \
		echo "$$n: $$before seeds, now $$(ls tests/fuzz/corpus/$$n | wc -l)"; \
	done

# A libFuzzer target (only made by the make fuzz above, with its flags).
$(BUILD)/fuzz-%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIBAPP)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(PKG_LIBS)

sanitize:
	$(MAKE) BUILD=build/san OUT=build/san FORTIFY= \
		CFLAGS="-O1 -g $(SANFLAGS)" LDFLAGS="$(SANFLAGS)" all units

deps:
	@sh tools/deps.sh

test: deps
	$(MAKE) all units
	$(MAKE) sanitize
	bash tests/run.sh

check: test

# make run shows little besides its banner: a quiet build (compiler lines
# only when something fails), nothing rebuilt when nothing changed.
run: deps
	@echo "building..."
	@$(MAKE) -s --no-print-directory all
	@bash tools/run.sh

migrate: $(OUT)/bin/migrate
	$(OUT)/bin/migrate --dir sql

token:
	@$(MAKE) -s --no-print-directory $(OUT)/bin/token
	@ORG="$(ORG)" ROLE="$(ROLE)" sh tools/token.sh

psql:
	@sh tools/psql.sh

bench: deps all $(OUT)/bin/bench-null
	SCALE=$(SCALE) PROCS=$(PROCS) DURATION=$(DURATION) HOSTS=$(HOSTS) STRAPI=$(STRAPI) bash tools/bench.sh

clean:
	rm -rf build bin $(CGIS:%=cgi-bin/%.fcgi)

# make install / make uninstall.  Every path starts with $(DESTDIR), so a
# packager can stage the files:  make && make install DESTDIR=/tmp/stage
# PREFIX=/usr.  BINDIR_SRC is where the built programs are taken from
# (build/san for the sanitizer build); the default builds them first.
BINDIR_SRC ?= .
PROJECT    = workos-strapi-c
INSTALL    ?= install
bindir     ?= $(PREFIX)/bin
pkglibdir  ?= $(PREFIX)/lib/$(PROJECT)
pkgdatadir ?= $(PREFIX)/share/$(PROJECT)
mandir     ?= $(PREFIX)/share/man
pkgdocdir  ?= $(PREFIX)/share/doc/$(PROJECT)
INST_SQL   = $(notdir $(wildcard sql/*.sql))
INST_CONF  = $(notdir $(wildcard apache-conf/*.conf apache-conf/env.example))
INST_SH    = $(notdir $(wildcard apache-conf/*.sh))
INST_UNITS = $(notdir $(wildcard apache-conf/systemd/*))
# The scale-out examples (README, "Scaling out"): a balancer and a pooler.
INST_DEPLOY = $(notdir $(wildcard deploy/*))
# The JSON error answers of the web servers (lighttpd-*.html are links to
# the .json files, installed as copies).
INST_ERR   = $(notdir $(wildcard apache-conf/errors/*))
INST_DOCS  = $(notdir $(wildcard docs/*.md))
# The examples name the default PREFIX's paths; installed, they name this
# one.  lighttpd will not start with a missing program, so its webhook
# route is installed only with webhook.fcgi.
INST_SED   = sed -e 's,/usr/local/\(lib\|share\|bin\)/workos-strapi,$(PREFIX)/\1/workos-strapi,g' \
	$(if $(filter webhook,$(CGIS)),,-e '/\# webhook.fcgi begin/,/\# webhook.fcgi end/d')

install: $(if $(filter .,$(BINDIR_SRC)),all)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(pkglibdir)/cgi-bin $(DESTDIR)$(bindir) \
		$(DESTDIR)$(pkgdatadir)/sql $(DESTDIR)$(pkgdatadir)/systemd \
		$(DESTDIR)$(pkgdatadir)/errors $(DESTDIR)$(pkgdatadir)/deploy \
		$(DESTDIR)$(mandir)/man1 $(DESTDIR)$(pkgdocdir)
	$(INSTALL) -m 0755 $(CGIS:%=$(BINDIR_SRC)/cgi-bin/%.fcgi) $(DESTDIR)$(pkglibdir)/cgi-bin/
	$(INSTALL) -m 0755 $(BINDIR_SRC)/bin/migrate $(DESTDIR)$(pkglibdir)/migrate
	$(INSTALL) -m 0755 $(BINDIR_SRC)/bin/workos-sync $(DESTDIR)$(pkglibdir)/workos-sync
	$(INSTALL) -m 0755 tools/workos-strapi-migrate $(DESTDIR)$(bindir)/workos-strapi-migrate
	$(INSTALL) -m 0644 $(INST_SQL:%=sql/%) $(DESTDIR)$(pkgdatadir)/sql/
	$(INSTALL) -m 0644 $(INST_ERR:%=apache-conf/errors/%) $(DESTDIR)$(pkgdatadir)/errors/
	$(INSTALL) -m 0644 $(INST_DEPLOY:%=deploy/%) $(DESTDIR)$(pkgdatadir)/deploy/
	for f in $(INST_CONF); do \
		$(INST_SED) apache-conf/$$f >$(DESTDIR)$(pkgdatadir)/$$f && \
		chmod 0644 $(DESTDIR)$(pkgdatadir)/$$f || exit 1; \
	done
	for f in $(INST_SH); do \
		$(INST_SED) apache-conf/$$f >$(DESTDIR)$(pkgdatadir)/$$f && \
		chmod 0755 $(DESTDIR)$(pkgdatadir)/$$f || exit 1; \
	done
	for f in $(INST_UNITS); do \
		$(INST_SED) apache-conf/systemd/$$f >$(DESTDIR)$(pkgdatadir)/systemd/$$f && \
		chmod 0644 $(DESTDIR)$(pkgdatadir)/systemd/$$f || exit 1; \
	done
	$(INST_SED) tools/workos-strapi-migrate.1 >$(DESTDIR)$(mandir)/man1/workos-strapi-migrate.1
	chmod 0644 $(DESTDIR)$(mandir)/man1/workos-strapi-migrate.1
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(pkgdocdir)/README.md
	$(INSTALL) -d -m 0755 $(DESTDIR)$(pkgdocdir)/docs
	$(INSTALL) -m 0644 $(INST_DOCS:%=docs/%) $(DESTDIR)$(pkgdocdir)/docs/

uninstall:
	rm -f $(CGIS:%=$(DESTDIR)$(pkglibdir)/cgi-bin/%.fcgi) \
		$(DESTDIR)$(pkglibdir)/migrate \
		$(DESTDIR)$(pkglibdir)/workos-sync \
		$(DESTDIR)$(bindir)/workos-strapi-migrate \
		$(INST_SQL:%=$(DESTDIR)$(pkgdatadir)/sql/%) \
		$(INST_CONF:%=$(DESTDIR)$(pkgdatadir)/%) \
		$(INST_SH:%=$(DESTDIR)$(pkgdatadir)/%) \
		$(INST_UNITS:%=$(DESTDIR)$(pkgdatadir)/systemd/%) \
		$(INST_ERR:%=$(DESTDIR)$(pkgdatadir)/errors/%) \
		$(INST_DEPLOY:%=$(DESTDIR)$(pkgdatadir)/deploy/%) \
		$(DESTDIR)$(mandir)/man1/workos-strapi-migrate.1 \
		$(DESTDIR)$(pkgdocdir)/README.md \
		$(INST_DOCS:%=$(DESTDIR)$(pkgdocdir)/docs/%)
	for d in $(DESTDIR)$(pkglibdir)/cgi-bin $(DESTDIR)$(pkglibdir) \
		$(DESTDIR)$(pkgdatadir)/sql $(DESTDIR)$(pkgdatadir)/systemd \
		$(DESTDIR)$(pkgdatadir)/errors $(DESTDIR)$(pkgdatadir)/deploy \
		$(DESTDIR)$(pkgdatadir) $(DESTDIR)$(pkgdocdir)/docs $(DESTDIR)$(pkgdocdir); do \
		if [ -d "$$d" ]; then rmdir "$$d" || exit 1; fi; \
	done

-include $(shell find build -name '*.d' 2>/dev/null)
