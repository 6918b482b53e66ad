# loop_tokens: PGXS build.  "make" builds loop_tokens.so and the install
# script, "make install" installs both, "make installcheck" runs the
# pg_regress and isolation suites against a running server.

EXTENSION = loop_tokens
EXTVERSION = 1.0
MODULE_big = loop_tokens
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))

SHLIB_LINK += $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium)
PG_CPPFLAGS += $(shell pkg-config --cflags libsodium 2>/dev/null)
PG_CFLAGS += -Wall -Wextra

# PostgreSQL's own headers do not build cleanly under -Wextra; reading them
# as system headers keeps -Wextra strict for our code alone.
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server)

EXTRA_CLEAN = output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script is the concatenation of src/sql/*.sql in name order.
$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

$(OBJS): $(wildcard src/*.h)
