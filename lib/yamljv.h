/* yamljv.h: reads a YAML document into a jv value (mappings, sequences, scalars). */
#ifndef DG_YAMLJV_H
#define DG_YAMLJV_H

#include <jv.h>
#include <stddef.h>

/* Loads the first document of the YAML file at path. Plain scalars become numbers,
 * true/false, or null where they look like one; quoted scalars stay strings. Returns
 * the value (the caller frees it), or jv_invalid() with "file:line:col: why" in err. */
jv yaml_load_jv(const char *path, char *err, size_t errsize);

#endif
