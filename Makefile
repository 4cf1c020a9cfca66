# dg: one Makefile builds every program into bin/ and runs every test.
# GNU make. `make`, `make check`, `make install PREFIX=... DESTDIR=...`, `make uninstall`,
# `make clean`. `make check SAN=1` builds with AddressSanitizer and UBSan.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SHAREDIR  ?= $(PREFIX)/share/dg
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=

# CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are the user's: what dg itself needs is in the
# DG_ variables and comes first, so `make CFLAGS=-O0` or `make LDLIBS=-lfoo` add to it.
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
DG_CPPFLAGS := -D_GNU_SOURCE -Ilib -DDG_SHAREDIR='"$(SHAREDIR)"'
DG_CFLAGS := -std=c11 $(WARN) -MMD -MP
DG_LDFLAGS :=
DG_LIBS   := -ljq -lyaml -lm -lcurl -lcrypto -lsqlite3
# Libraries only some programs need.
LIBS_dg-sandbox := -lmicrohttpd -lpthread
LIBS_dg-push := -lpthread
LIBS_dg-report := -lpthread
# tests/tools/textcheck parses sentences with link-grammar (Debian liblink-grammar-dev).
LIBS_tool_textcheck := -llink-grammar

# The sanitizer build lives apart (objects and programs under build-san/), so that it
# and a normal build never mix; its bin/ finds share/ through build-san/share.
ifeq ($(SAN),1)
DG_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
DG_LDFLAGS += -fsanitize=address,undefined
BUILD     := build-san
BIN       := build-san/bin
else
BUILD     := build
BIN       := bin
endif

COMPILE   = $(CC) $(DG_CPPFLAGS) $(CPPFLAGS) $(DG_CFLAGS) $(CFLAGS)
LINK      = $(CC) $(DG_CFLAGS) $(CFLAGS) $(DG_LDFLAGS) $(LDFLAGS)

# Programs written in C: every .c in cmd/<name>/ (main.c and what only it needs).
CPROGS    := $(notdir $(wildcard cmd/*))
# Porcelain written in shell: scripts/dg-<name>.
SPROGS    := $(notdir $(wildcard scripts/dg-*))
BINS      := $(addprefix $(BIN)/,$(CPROGS) $(SPROGS))
objs_of    = $(patsubst cmd/%.c,$(BUILD)/cmd/%.o,$(wildcard cmd/$(1)/*.c))

LIBSRC    := $(wildcard lib/*.c)
LIBOBJ    := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIBSRC))
LIBA      := $(BUILD)/libdg.a
UNITSRC   := $(wildcard tests/unit/*.c)
UNITBIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNITSRC))
TOOLSRC   := $(wildcard tests/tools/*.c)
TOOLBIN   := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOLSRC))
SUITES    := $(notdir $(basename $(wildcard tests/*.bats)))
MANPAGES  := $(wildcard doc/*.1 doc/*.7)

all: $(BINS) $(if $(filter 1,$(SAN)),$(BUILD)/share)

# Header dependencies come from the compiler (-MMD -MP): the .d files beside the objects.
-include $(wildcard $(BUILD)/lib/*.d $(BUILD)/cmd/*/*.d $(BUILD)/tests/*.d $(BUILD)/tools/*.d)

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(COMPILE) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(COMPILE) -I$(<D) -c -o $@ $<

$(LIBA): $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN):
	mkdir -p $@

$(BUILD)/share:
	ln -s ../share $@

.SECONDEXPANSION:
$(addprefix $(BIN)/,$(CPROGS)): $(BIN)/%: $$(call objs_of,$$*) $(LIBA) | $(BIN)
	$(LINK) -o $@ $(filter %.o,$^) $(LIBA) $(LIBS_$*) $(DG_LIBS) $(LDLIBS)

$(addprefix $(BIN)/,$(SPROGS)): $(BIN)/%: scripts/% | $(BIN)
	cp $< $@
	chmod +x $@

$(BUILD)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(@D)
	$(COMPILE) $(DG_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(DG_LIBS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIBA)
	@mkdir -p $(@D)
	$(COMPILE) $(DG_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS_tool_$*) $(DG_LIBS) $(LDLIBS)

# Installs the Debian packages dg needs when one is missing (no-op otherwise).
deps:
	@scripts/setup --check || scripts/setup

unit: $(UNITBIN) $(TOOLBIN)

# A test target does not change the machine: it says what is missing (make deps
# installs it) and stops, before anything is built.
check-deps:
	@scripts/setup --check || { echo "make check: packages are missing; run 'make deps' first" >&2; exit 2; }

# Every test program (C unit tests, then the bats suites) runs as its own target, so
# `make -j2 check` runs two at a time; the summary reads their TAP in a fixed order.
CHECKDIR  := $(BUILD)/check
# The end-to-end suites run again against dg-sandbox --profile enterprise.
ENTERPRISE := dg-run dg-push dg-refresh sf-cli
CHECKS    := $(addprefix $(CHECKDIR)/unit-,$(addsuffix .tap,$(notdir $(UNITBIN)))) \
	$(addprefix $(CHECKDIR)/suite-,$(addsuffix .tap,$(SUITES))) \
	$(addprefix $(CHECKDIR)/suite-,$(addsuffix -enterprise.tap,$(filter $(ENTERPRISE),$(SUITES))))
export DG_BIN = $(CURDIR)/$(BIN)
export DG_TOOLS = $(CURDIR)/$(BUILD)/tools
# Files a test keeps for a person to look at (dg-report's screenshots).
export DG_ARTIFACTS = $(CURDIR)/$(CHECKDIR)/artifacts

check: check-deps
	@$(MAKE) --no-print-directory all unit
	@rm -rf $(CHECKDIR) && mkdir -p $(CHECKDIR)
	@$(MAKE) --no-print-directory -k $(CHECKS); \
	tests/run --summary $(CHECKS)

$(CHECKDIR)/unit-%.tap: FORCE
	@tests/run --one $@ $(BUILD)/tests/$*

$(CHECKDIR)/suite-%.tap: FORCE
	@tests/run --one $@ tests/$*.bats

$(CHECKDIR)/suite-%-enterprise.tap: FORCE
	@DG_SANDBOX_PROFILE=enterprise TEST_NAME=$*.bats@enterprise tests/run --one $@ tests/$*.bats

FORCE:

# The house format (.clang-format; CONTRIBUTING.md): rewrites every C file in place.
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	cp -R share/dg/. $(DESTDIR)$(SHAREDIR)
	install -m 644 demo.example.yaml $(DESTDIR)$(SHAREDIR)
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 share/bash-completion/completions/dg $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dg
	install -m 644 $(wildcard doc/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(wildcard doc/*.7) $(DESTDIR)$(MANDIR)/man7

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(CPROGS) $(SPROGS))
	rm -rf $(DESTDIR)$(SHAREDIR)
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dg
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard doc/*.1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard doc/*.7)))

clean:
	rm -rf bin build build-san

.PHONY: all deps check-deps unit check format install uninstall clean FORCE
