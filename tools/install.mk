# SPDX-License-Identifier: GPL-2.0
# Install rules for the userspace tools, kept out of tools/Makefile so the
# two could be written at the same time. tools/Makefile includes this file
# at its end:
#
#   include $(dir $(lastword $(MAKEFILE_LIST)))install.mk
#
# What it needs from tools/Makefile: an `all` target that builds, in $(O),
# libownbuf.a, libownbuf.so.0 (soname libownbuf.so.0; a symlink there, the
# library itself is installed under that name) and ownbufctl. If the names
# differ, set OWNBUF_LIB_A, OWNBUF_LIB_SO, OWNBUF_CTL before the include.
#
#   make -C tools install   [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=...] [UDEVDIR=...]
#                           [MANDIR=...] [BASHCOMPDIR=...]
#   make -C tools uninstall (same variables)
#
# Puts down: $(BINDIR)/ownbufctl, $(LIBDIR)/libownbuf.{a,so.0,so},
# $(INCLUDEDIR)/libownbuf.h, $(PKGCONFIGDIR)/libownbuf.pc,
# $(UDEVDIR)/60-ownbuf.rules, the man pages of man/ in $(MANDIR)/manN
# (ownbufctl.1, libownbuf.3 and its function pages, ownbuf.4), with a
# one-line ".so" page for every other function a section-3 page names, and
# the bash completion $(BASHCOMPDIR)/ownbufctl, each under $(DESTDIR). The
# pages' ".Os ownbuf" gets the version. libownbuf.h includes
# <linux/ownbuf.h>, which the top-level `make install-headers` installs.
# Without DESTDIR it also refreshes the linker cache (as root) and asks udev
# to reload its rules.

ifndef OWNBUF_INSTALL_MK
OWNBUF_INSTALL_MK := 1

ownbuf_tools := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UDEVDIR ?= /lib/udev/rules.d
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install
LDCONFIG ?= ldconfig

OWNBUF_VERSION := $(shell cat $(ownbuf_tools)/../VERSION)
OWNBUF_LIB_A ?= $(O)/libownbuf.a
OWNBUF_LIB_SO ?= $(O)/libownbuf.so.0
OWNBUF_CTL ?= $(O)/ownbufctl

# The pages, their section directories, and NAME:PAGE for every name in the
# NAME section of a section-3 page but its own (`man ownbuf_drop` then
# shows ownbuf_create(3)).
ownbuf_man := $(sort $(wildcard $(ownbuf_tools)/man/*.[1-9]))
ownbuf_man_dirs := $(addprefix $(DESTDIR)$(MANDIR)/man,$(sort $(subst .,,$(suffix $(ownbuf_man)))))
ownbuf_man_links := $(shell awk 'FNR == 1 { page = FILENAME; sub(/.*\//, "", page); \
	sub(/\.3$$/, "", page) } /^\.Sh / { on = $$2 == "NAME" } \
	on && $$1 == ".Nm" && $$2 != page { print $$2 ":" page }' $(filter %.3,$(ownbuf_man)))

.PHONY: install uninstall

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(UDEVDIR)
	$(INSTALL) -m 0755 $(OWNBUF_CTL) $(DESTDIR)$(BINDIR)/ownbufctl
	$(INSTALL) -m 0644 $(OWNBUF_LIB_A) $(DESTDIR)$(LIBDIR)/libownbuf.a
	$(INSTALL) -m 0755 $(OWNBUF_LIB_SO) $(DESTDIR)$(LIBDIR)/libownbuf.so.0
	ln -sfn libownbuf.so.0 $(DESTDIR)$(LIBDIR)/libownbuf.so
	$(INSTALL) -m 0644 $(ownbuf_tools)/lib/libownbuf.h $(DESTDIR)$(INCLUDEDIR)/libownbuf.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(OWNBUF_VERSION)|' \
		$(ownbuf_tools)/lib/libownbuf.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libownbuf.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libownbuf.pc
	$(INSTALL) -m 0644 $(ownbuf_tools)/udev/60-ownbuf.rules $(DESTDIR)$(UDEVDIR)/60-ownbuf.rules
	$(INSTALL) -d $(ownbuf_man_dirs) $(DESTDIR)$(BASHCOMPDIR)
	@echo "man pages: $(words $(ownbuf_man)) and $(words $(ownbuf_man_links)) .so links to $(DESTDIR)$(MANDIR)"
	@for p in $(ownbuf_man); do \
		f=$(DESTDIR)$(MANDIR)/man$${p##*.}/$${p##*/}; \
		sed 's/^\.Os ownbuf$$/.Os ownbuf $(OWNBUF_VERSION)/' "$$p" >"$$f" && \
		chmod 0644 "$$f" || exit 1; \
	done
	@for l in $(ownbuf_man_links); do \
		f=$(DESTDIR)$(MANDIR)/man3/$${l%%:*}.3; \
		printf '.so man3/%s.3\n' "$${l#*:}" >"$$f" && chmod 0644 "$$f" || exit 1; \
	done
	$(INSTALL) -m 0644 $(ownbuf_tools)/completion/ownbufctl $(DESTDIR)$(BASHCOMPDIR)/ownbufctl
ifeq ($(DESTDIR),)
	if [ "$$(id -u)" -eq 0 ]; then $(LDCONFIG); fi
	command -v udevadm >/dev/null && udevadm control --reload 2>/dev/null || true
endif

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ownbufctl \
		$(DESTDIR)$(LIBDIR)/libownbuf.a $(DESTDIR)$(LIBDIR)/libownbuf.so \
		$(DESTDIR)$(LIBDIR)/libownbuf.so.0 $(DESTDIR)$(INCLUDEDIR)/libownbuf.h \
		$(DESTDIR)$(PKGCONFIGDIR)/libownbuf.pc $(DESTDIR)$(UDEVDIR)/60-ownbuf.rules \
		$(DESTDIR)$(BASHCOMPDIR)/ownbufctl
	rm -f $(foreach p,$(ownbuf_man),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p))) \
		$(foreach l,$(ownbuf_man_links),$(DESTDIR)$(MANDIR)/man3/$(firstword $(subst :, ,$(l))).3)
ifeq ($(DESTDIR),)
	if [ "$$(id -u)" -eq 0 ]; then $(LDCONFIG); fi
	command -v udevadm >/dev/null && udevadm control --reload 2>/dev/null || true
endif

endif # OWNBUF_INSTALL_MK
