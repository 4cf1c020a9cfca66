/* csv.h: RFC 4180 CSV, as Bulk API 2.0 reads and writes it. */
#ifndef DG_CSV_H
#define DG_CSV_H

#include <jv.h>

#include "util.h"

/* Reads one record from *p (not past end) into an array of strings and moves *p past
 * it; fields may be quoted, with "" for a quote and line breaks inside quotes. Returns
 * jv_invalid() at the end of the input. */
jv csv_row(const char **p, const char *end, char delim);

/* Appends s as one quoted field, preceded by delim unless first. */
void csv_cell(struct sb *b, const char *s, int first, char delim);

#endif
