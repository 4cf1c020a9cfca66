/* people.h: who a logged email is between, and the header of a logged email. */
#ifndef DG_PEOPLE_H
#define DG_PEOPLE_H
#include <jv.h>

/* The people of email activity act of deal (both borrowed): {"incoming": true for a
 * customer's email, "from": {name, email}, "to": [{name, email}], "cc": [...]}. An
 * outbound email is from the opportunity's owner to the activity's contact (who);
 * an inbound one the other way round; everyone else in cc (or among the attendees) is
 * in copy. Names and addresses come from the deal's contacts, sellers and owner.
 * The caller frees the result. */
jv people_email(jv deal, jv act);

/* The header Salesforce's email logging puts before a logged email's text, for
 * people p (from people_email):
 *   From: Name <address>
 *   To: Name <address>
 *   CC: Name <address>, ...
 *   BCC:
 *   Attachment: --none--
 *   (blank line)
 *   Subject: SUBJECT
 *   Body:
 * then the text follows. Returns a new string, the caller's to free. */
char *people_header(jv p, const char *subject);

/* The addresses of a list of people ("a@x.com; b@y.com"), for EmailMessage's address
 * fields; a new string. */
char *people_addresses(jv list);
#endif
