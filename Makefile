# dg: one Makefile builds every program into bin/ and runs every test.
# GNU make. `make`, `make check`, `make install PREFIX=... DESTDIR=...`, `make uninstall`,
# `make clean`. `make check SAN=1` builds with AddressSanitizer and UBSan.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SHAREDIR  ?= $(PREFIX)/share/dg
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=

CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -Ilib -DDG_SHAREDIR='"$(SHAREDIR)"'
LDLIBS    := -ljq -lyaml -lm -lcurl -lcrypto -lsqlite3
# Libraries only some programs need.
LDLIBS_dg-sandbox := -lmicrohttpd -lpthread
LDLIBS_dg-push := -lpthread
# tests/tools/textcheck parses sentences with link-grammar (Debian liblink-grammar-dev).
LDLIBS_tool_textcheck := -llink-grammar

ifeq ($(SAN),1)
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=address,undefined
BUILD     := build-san
else
BUILD     := build
endif

# Programs written in C: cmd/<name>/main.c plus any other .c in that folder.
CPROGS    := $(notdir $(wildcard cmd/*))
# Porcelain written in shell: scripts/dg-<name>.
SPROGS    := $(notdir $(wildcard scripts/dg-*))
BINS      := $(addprefix bin/,$(CPROGS) $(SPROGS))

LIBSRC    := $(wildcard lib/*.c)
LIBOBJ    := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIBSRC))
LIBA      := $(BUILD)/libdg.a
UNITSRC   := $(wildcard tests/unit/*.c)
UNITBIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNITSRC))
TOOLSRC   := $(wildcard tests/tools/*.c)
TOOLBIN   := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOLSRC))
MANPAGES  := $(wildcard doc/*.1 doc/*.7)

all: $(BINS)

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/lib
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(LIBA): $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/lib $(BUILD)/tests $(BUILD)/tools bin:
	mkdir -p $@

.SECONDEXPANSION:
$(addprefix bin/,$(CPROGS)): bin/%: $$(wildcard cmd/%/*.c) $$(wildcard cmd/%/*.h) $(LIBA) $(wildcard lib/*.h) | bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Icmd/$* $(LDFLAGS) -o $@ $(filter %.c,$^) $(LIBA) $(LDLIBS_$*) $(LDLIBS)

$(addprefix bin/,$(SPROGS)): bin/%: scripts/% | bin
	cp $< $@
	chmod +x $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIBA) $(wildcard lib/*.h) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIBA) | $(BUILD)/tools
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_tool_$*) $(LDLIBS)

# Installs the Debian packages dg needs when one is missing (no-op otherwise).
deps:
	@scripts/setup --check || scripts/setup

unit: $(UNITBIN) $(TOOLBIN)

# A test target does not change the machine: it says what is missing (make deps
# installs it) and stops, before anything is built.
check-deps:
	@scripts/setup --check || { echo "make check: packages are missing; run 'make deps' first" >&2; exit 2; }

check: check-deps
	@$(MAKE) --no-print-directory all unit
	@DG_TOOLS=$(CURDIR)/$(BUILD)/tools tests/run $(UNITBIN)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	cp -R share/dg/. $(DESTDIR)$(SHAREDIR)
	install -m 644 $(wildcard doc/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(wildcard doc/*.7) $(DESTDIR)$(MANDIR)/man7

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(CPROGS) $(SPROGS))
	rm -rf $(DESTDIR)$(SHAREDIR)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard doc/*.1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard doc/*.7)))

clean:
	rm -rf bin build build-san

.PHONY: all deps check-deps unit check install uninstall clean
