/* statedb.h: the state file (SQLite): where it is, opening it, its schema versions. */
#ifndef DG_STATEDB_H
#define DG_STATEDB_H

#include <sqlite3.h>
#include <stddef.h>

/* The state file: $DG_STATE, else .dg/state.db. */
const char *statedb_path(void);

/* Opens (with create, making it and its directory when missing) and migrates the
 * state file. A file that is not SQLite, not dg's, or from a newer dg is refused:
 * returns NULL with the reason in err; the file is never changed then. */
sqlite3 *statedb_open(const char *path, int create, char *err, size_t errsize);

#endif
