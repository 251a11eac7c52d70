# SPDX-License-Identifier: GPL-2.0
# ownbuf: top-level entry points. Kbuild (beside this file) describes the
# module; this Makefile is what people type `make` at.
#
#   make                 build ownbuf.ko against the running kernel
#   make KDIR=/path      ... against any prepared kernel tree or headers
#   make install         install-module + install-headers + install-tools
#   make install-module  ownbuf.ko to /lib/modules/KVER/updates/, then depmod
#   make install-headers <linux/ownbuf.h> to $(PREFIX)/include
#   make install-tools   libownbuf (+ .pc), ownbufctl, the udev rule, the man
#                        pages and bash completion (tools/install.mk: MANDIR,
#                        BASHCOMPDIR)
#   make uninstall       remove what install-headers and install-tools put down
#   make demo            the main job: build, boot a 6.12 guest, show it
#   make bench [KERNEL=6.12] [BENCH_ARGS="--only move"]  time ownbuf against
#                        its peers in a guest; tables, CSV and plots in build/bench
#   make stress [DURATION=s] [SEED=n] [KERNEL=debug] [REPLAY=p:r]  the stress alone:
#                        processes, threads, SIGKILLs, a model of the contract
#   make fuzz [DURATION=s] [SEED=n] [KERNEL=debug]    the bad-input matrix, then
#                        random requests for DURATION s, 64- and 32-bit
#   make check           lint + every test on all four kernels
#   make check KERNELS="6.12 debug" TESTS=GLOB   a subset, for the inner loop
#   make lint            only the static checks
#   make deps            install packages and fetch kernels (idempotent)
#   make deb             Debian packages (debian/: ownbuf-dkms, libownbuf0,
#                        libownbuf-dev, ownbufctl), built out of tree into
#                        build/deb (scripts/deb.sh)
#
# Install variables: PREFIX (/usr/local), DESTDIR (staging root, honoured
# by every install and uninstall target; depmod, ldconfig and the udev
# reload are skipped when it is set), UDEVDIR (/lib/udev/rules.d), KDIR.

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
DESTDIR ?=
INCLUDEDIR ?= $(PREFIX)/include
UDEVDIR ?= /lib/udev/rules.d
# 6.1 installs external modules to extra/ by default, 6.12 to updates/:
# always updates/, which depmod ranks above the kernel's own modules.
INSTALL_MOD_DIR ?= updates
# The release KDIR was built for, as its modules directory is named. Debian's
# headers report another one with `make kernelrelease`; UTS_RELEASE is right.
KVER ?= $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(shell uname -r))

.PHONY: all module modules clean demo bench stress fuzz check lint deps deb
.PHONY: install install-module install-headers install-tools uninstall

all: module

module modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build

install: install-module install-headers install-tools

# Installs what `make` built (so `sudo make install` compiles nothing as root).
install-module:
	@test -f ownbuf.ko || { echo "no ownbuf.ko: run make (with the same KDIR) first" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
ifeq ($(DESTDIR),)
	depmod -A $(KVER)
endif

install-headers:
	install -d $(DESTDIR)$(INCLUDEDIR)/linux
	install -m 0644 include/uapi/linux/ownbuf.h $(DESTDIR)$(INCLUDEDIR)/linux/ownbuf.h

# libownbuf.h includes <linux/ownbuf.h>: the tools need the UAPI header.
install-tools: install-headers
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
		INCLUDEDIR=$(INCLUDEDIR) UDEVDIR=$(UDEVDIR)

uninstall:
	$(MAKE) -C tools uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
		INCLUDEDIR=$(INCLUDEDIR) UDEVDIR=$(UDEVDIR)
	rm -f $(DESTDIR)$(INCLUDEDIR)/linux/ownbuf.h

deps:
	scripts/deps.sh all

deb:
	scripts/deb.sh

demo:
	scripts/demo.sh

bench:
	OWNBUF_BENCH_ARGS="$(BENCH_ARGS)" scripts/bench.sh $(KERNEL)

stress:
	DURATION="$(DURATION)" SEED="$(SEED)" KERNEL="$(KERNEL)" REPLAY="$(REPLAY)" scripts/stress.sh

fuzz:
	DURATION="$(DURATION)" SEED="$(SEED)" KERNEL="$(KERNEL)" scripts/fuzz.sh

check:
	KERNELS="$(KERNELS)" TESTS="$(TESTS)" KEEP_GOING="$(KEEP_GOING)" scripts/check.sh

lint:
	scripts/lint.sh
