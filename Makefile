# SPDX-License-Identifier: GPL-2.0
# ownbuf: top-level entry points. Kbuild (beside this file) describes the
# module; this Makefile is what people type `make` at.
#
#   make                 build ownbuf.ko against the running kernel
#   make KDIR=/path      ... against any prepared kernel tree or headers
#   make demo            the main job: build, boot a 6.12 guest, show it
#   make bench           time ownbuf against its peers in a 6.12 guest
#   make check           lint + every test on all three kernels
#   make lint            only the static checks
#   make deps            install packages and fetch kernels (idempotent)

KDIR ?= /lib/modules/$(shell uname -r)/build

.PHONY: all module modules clean demo bench check lint deps

all: module

module modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build

deps:
	scripts/deps.sh all

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

check:
	scripts/check.sh

lint:
	scripts/lint.sh
