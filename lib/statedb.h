/* statedb.h: the state file (SQLite): where it is, opening it, its schema versions. */
#ifndef DG_STATEDB_H
#define DG_STATEDB_H

#include <sqlite3.h>
#include <stddef.h>

/* The state file: $DG_STATE, else .dg/state.db in the nearest directory from here up
 * that has a .dg/ (as git finds .git), else here. Static. */
const char *statedb_path(void);
/* Where runs/ is: $DG_RUNS, else beside the nearest .dg/ from here up (as git finds
 * .git), else runs here. Static. */
const char *statedb_runs(void);

enum {
	STATEDB_CREATE = 1,   /* make the file (0600) and its directories (0700) when missing */
	STATEDB_READONLY = 2, /* never write: for commands that only read (works in a read-only directory) */
	STATEDB_EMPTY_OK = 4, /* with READONLY: a file dg has not written into yet (a run killed as it
	                       * made it) opens as NULL with an empty err, like a missing one */
};

/* Opens and migrates the state file; safe under any number of concurrent openers (a
 * busy file is waited for). A file that is not SQLite, not dg's, or from a newer dg
 * is refused: returns NULL with the reason in err; the file is never changed then. */
sqlite3 *statedb_open(const char *path, int flags, char *err, size_t errsize);

#endif
