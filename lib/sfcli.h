/* sfcli.h: a session borrowed from the Salesforce CLI (`sf`), for --target-org. */
#ifndef DG_SFCLI_H
#define DG_SFCLI_H
#include <stddef.h>

/* Asks sf for the session of alias (an alias or username; NULL for sf's default target
 * org): `sf org auth show-access-token` and `sf org display` run side by side. On
 * success returns 0 with *token and *instance (no trailing slash) newly allocated, the
 * caller's to free. On failure returns -1 with err saying why in sf's own words, or that
 * sf is not installed; never the token. */
int sfcli_session(const char *alias, char **token, char **instance, char *err, size_t errsize);

/* Returns 1 when an `sf` command is on PATH. */
int sfcli_available(void);
#endif
