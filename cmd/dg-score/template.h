/* template.h: scorecard templates (share/dg/templates/NAME.yaml or any file). */
#ifndef DG_TEMPLATE_H
#define DG_TEMPLATE_H

struct element {
	char *id, *name, *question, *answer;
	unsigned topics; /* bit set of enum topic */
	double weight;
};

struct template
{
	char *name;
	struct element *e;
	int n;
};

/* Loads NAME (from the share directory) or a FILE path (anything with a '/' or ending
 * in .yaml). On error prints "file:line:col: why" and returns -1. */
int template_load(struct template *t, const char *name_or_file);
void template_free(struct template *t);

#endif
