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
HARDEN  = -fstack-protector-strong -fPIE -Werror=format-security
LDHARDEN = -pie -Wl,-z,relro,-z,now

# pkg-config for each library, with the usual flags when a .pc is missing.
PKGS = fcgi libcurl json-c openssl libpq
PKG_CFLAGS := $(shell for p in $(PKGS); do pkg-config --cflags $$p 2>/dev/null; done)
pc_libs = $(or $(shell pkg-config --libs $(1) 2>/dev/null),$(2))
PKG_LIBS := $(call pc_libs,fcgi,-lfcgi) $(call pc_libs,libcurl,-lcurl) \
	$(call pc_libs,json-c,-ljson-c) $(call pc_libs,openssl,-lssl -lcrypto) \
	$(call pc_libs,libpq,-lpq)
LIBPQ_INC := $(shell pg_config --includedir 2>/dev/null)

ALL_CPPFLAGS = -Ilib $(PKG_CFLAGS) $(if $(LIBPQ_INC),-I$(LIBPQ_INC)) $(FORTIFY) $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS)
ALL_LDFLAGS  = $(LDHARDEN) $(LDFLAGS)

LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBAPP   = $(BUILD)/libapp.a
CGIS     = content login callback
PROGS    = $(CGIS:%=$(OUT)/cgi-bin/%.fcgi)
TOOLS    = $(OUT)/bin/migrate $(OUT)/bin/token
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all sanitize units test check run migrate token bench deps clean \
	install uninstall help

all: $(PROGS) $(TOOLS)

help:
	@echo "make            build the FastCGI programs and tools"
	@echo "make run        serve the suite on http://127.0.0.1:1337 (installs what it needs)"
	@echo "make test       build everything and run every test (installs what it needs)"
	@echo "make sanitize   build with ASan + UBSan under build/san/"
	@echo "make migrate    apply pending sql/ migrations to DATABASE_URL"
	@echo "make token      print a JWT for the local development user"
	@echo "make bench      measure requests per second (installs wrk)"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBAPP): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(OUT)/cgi-bin/%.fcgi: $(BUILD)/cgi-bin/%.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(OUT)/bin/%: $(BUILD)/tools/%.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

units: $(UNITS)

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

run: deps all
	bash tools/run.sh

migrate: $(OUT)/bin/migrate
	$(OUT)/bin/migrate --dir sql

token: $(OUT)/bin/token
	@sh tools/token.sh

bench: deps all
	bash tools/bench.sh

clean:
	rm -rf build bin $(CGIS:%=cgi-bin/%.fcgi)

-include $(shell find build -name '*.d' 2>/dev/null)
