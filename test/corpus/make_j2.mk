# Benign: `make -j2` with a recursive make, which hands its jobserver pipe to
# the sub-make on purpose (and to no other recipe).
all: a b sub

a b:
	@echo built $@

sub:
	+@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) c d

c d:
	@echo built $@
