/* sfid.h: Salesforce record Ids (15 characters, or 18 with the checksum). */
#ifndef DG_SFID_H
#define DG_SFID_H

/* Bytes that hold an Id in its 18-character form, NUL included. */
#define SFID_SIZE 19

/* Writes the 3-character checksum of the 15-character Id id15 into out (NUL-ended). */
void id_checksum(const char *id15, char out[4]);

/* Normalises a 15- or 18-character Id into out (19 bytes, the 18-character form);
 * returns 0, or -1 when s is not an Id (bad length, characters or checksum). */
int id_norm(const char *s, char out[SFID_SIZE]);

#endif
