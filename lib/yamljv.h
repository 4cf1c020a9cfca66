/* yamljv.h: reads a YAML document into a jv value (mappings, sequences, scalars). */
#ifndef DG_YAMLJV_H
#define DG_YAMLJV_H

#include <jv.h>
#include <stddef.h>
#include <yaml.h>

/* Loads the one document of an initialised parser into doc, refusing a file whose
 * aliases expand beyond a bound (an alias bomb) and a file with a second document.
 * Returns 0 (the caller deletes doc), or -1 with "file:line:col: why" in err (doc is
 * then already deleted or was never made). */
int yaml_load_single(yaml_parser_t *p, yaml_document_t *doc, const char *path, char *err, size_t errsize);

/* Loads the one document of the YAML file at path (see yaml_load_single). Plain scalars become numbers,
 * true/false, or null where they look like one; quoted scalars stay strings. Returns
 * the value (the caller frees it), or jv_invalid() with "file:line:col: why" in err. */
jv yaml_load_jv(const char *path, char *err, size_t errsize);

#endif
