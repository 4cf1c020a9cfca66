/* sfdx.c: the custom fields and objects of the loaded schema files (dg's own:
 * share/dg/sandbox/dg.yaml) as a Salesforce DX source folder an admin deploys with
 * `sf project deploy start`, with a permission set that grants them. The folder under
 * share/dg/salesforce is this output; a test writes it again and compares, so the org
 * dg-sandbox plays and the metadata a real org gets cannot drift apart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sandbox.h"

#define NS "xmlns=\"http://soap.sforce.com/2006/04/metadata\""

static int
mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				free(p);
				return -1;
			}
			*s = '/';
		}
	int rc = mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* A label from an API name: DG_Economic_Buyer__c is "DG Economic Buyer". */
static void
label_of(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s", name);
	char *c = strstr(buf, "__c");
	if (c)
		*c = '\0';
	for (char *s = buf; *s; s++)
		if (*s == '_')
			*s = ' ';
}

/* Custom fields of Event and Task are the Activity object's. */
static const char *
meta_object(const struct obj *o)
{
	return !strcmp(o->name, "Event") || !strcmp(o->name, "Task") ? "Activity" : o->name;
}

/* The relationship name a reference field's parent knows its children by
 * (DG_Scorecards__r is DG_Scorecards). */
static void
relationship(const struct obj *o, const struct field *fd, char *buf, size_t size)
{
	const struct obj *parent = schema_obj(fd->ref[0]);
	snprintf(buf, size, "%s", o->name);
	for (int i = 0; parent && i < parent->nchildren; i++)
		if (parent->children[i].child == o && parent->children[i].field == fd)
			snprintf(buf, size, "%s", parent->children[i].name);
	char *r = strstr(buf, "__");
	if (r)
		*r = '\0';
}

/* A CustomField, its elements in the Metadata API's order (fullName, then the rest
 * alphabetically). */
static void
field_xml(FILE *f, const struct obj *o, const struct field *fd)
{
	char label[128], rel[128];
	int text = fd->type != F_REFERENCE && fd->type != F_TEXTAREA && fd->type != F_DOUBLE && fd->type != F_PERCENT &&
	    fd->type != F_DATETIME;
	label_of(fd->name, label, sizeof label);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField " NS ">\n");
	fprintf(f, "    <fullName>%s</fullName>\n", fd->name);
	if (text)
		fprintf(f, "    <externalId>%s</externalId>\n", fd->external_id ? "true" : "false");
	fprintf(f, "    <label>%s</label>\n", label);
	if (text || fd->type == F_TEXTAREA)
		fprintf(f, "    <length>%d</length>\n", fd->length ? fd->length : fd->type == F_TEXTAREA ? 32768 : 255);
	if (fd->type == F_DOUBLE || fd->type == F_PERCENT)
		fprintf(f, "    <precision>%d</precision>\n", fd->type == F_DOUBLE ? 18 : 5);
	if (fd->type == F_REFERENCE) {
		/* A child the parent's deletion takes along is a master-detail in a real org. */
		relationship(o, fd, rel, sizeof rel);
		fprintf(f, "    <referenceTo>%s</referenceTo>\n    <relationshipLabel>%s</relationshipLabel>\n",
		    fd->ref[0], o->plural ? o->plural : o->name);
		fprintf(f,
		    "    <relationshipName>%s</relationshipName>\n    <relationshipOrder>0</relationshipOrder>\n", rel);
	}
	if (text)
		fprintf(f, "    <required>%s</required>\n", fd->required ? "true" : "false");
	if (fd->type == F_DOUBLE || fd->type == F_PERCENT)
		fprintf(f, "    <scale>2</scale>\n");
	fprintf(f, "    <type>%s</type>\n",
	    fd->type == F_REFERENCE      ? "MasterDetail"
		: fd->type == F_TEXTAREA ? "LongTextArea"
		: fd->type == F_DOUBLE   ? "Number"
		: fd->type == F_PERCENT  ? "Percent"
		: fd->type == F_DATETIME ? "DateTime"
					 : "Text");
	if (text)
		fprintf(f, "    <unique>%s</unique>\n", fd->unique ? "true" : "false");
	if (fd->type == F_TEXTAREA)
		fprintf(f, "    <visibleLines>5</visibleLines>\n");
	fprintf(f, "</CustomField>\n");
}

static void
object_xml(FILE *f, const struct obj *o)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject " NS ">\n");
	fprintf(f, "    <deploymentStatus>Deployed</deploymentStatus>\n    <label>%s</label>\n", o->label);
	fprintf(f, "    <nameField>\n        <label>%s Name</label>\n        <type>Text</type>\n    </nameField>\n",
	    o->label);
	fprintf(f, "    <pluralLabel>%s</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n", o->plural);
	fprintf(f, "</CustomObject>\n");
}

/* Opens DIR/REL (made as needed) for writing, or returns NULL after saying why. */
static FILE *
out(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel), *slash = strrchr(path, '/');
	*slash = '\0';
	int ok = mkdirs(path) == 0;
	*slash = '/';
	FILE *f = ok ? fopen(path, "w") : NULL;
	if (!f)
		warnx("cannot write '%s': %s", path, strerror(errno));
	free(path);
	return f;
}

/* Whether field fd of o is one dg adds: a custom field (its name ends in __c), once
 * for Event and Task (they share the Activity object's). */
static int
ours(const struct obj *o, const struct field *fd)
{
	size_t n = strlen(fd->name);
	return n > 3 && !strcmp(fd->name + n - 3, "__c") && strcmp(o->name, "Task");
}

int
sfdx_export(const char *dir)
{
	const char *base = "force-app/main/default";
	FILE *f = out(dir, "sfdx-project.json");
	if (!f)
		return -1;
	fprintf(f,
	    "{\n  \"packageDirectories\": [{ \"path\": \"force-app\", \"default\": true }],\n"
	    "  \"name\": \"dg\",\n  \"sourceApiVersion\": \"60.0\"\n}\n");
	fclose(f);
	FILE *ps = out(dir, "force-app/main/default/permissionsets/DG_Writer.permissionset-meta.xml");
	if (!ps)
		return -1;
	fprintf(ps, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet " NS ">\n");
	fprintf(ps, "    <description>What dg writes: its tag, scorecard and lock fields and objects</description>\n");
	struct sb objperm = { 0 };
	for (int i = 0; i < schema_nobjs(); i++) {
		const struct obj *o = schema_at(i);
		if (o->custom) {
			char *rel = xasprintf("%s/objects/%s/%s.object-meta.xml", base, o->name, o->name);
			if (!(f = out(dir, rel)))
				return free(rel), fclose(ps), -1;
			object_xml(f, o);
			fclose(f);
			free(rel);
			sb_addf(&objperm,
			    "    <objectPermissions>\n        <allowCreate>true</allowCreate>\n"
			    "        <allowDelete>true</allowDelete>\n        <allowEdit>true</allowEdit>\n"
			    "        <allowRead>true</allowRead>\n        <modifyAllRecords>false</modifyAllRecords>\n"
			    "        <object>%s</object>\n        <viewAllRecords>false</viewAllRecords>\n"
			    "    </objectPermissions>\n",
			    o->name);
		}
		for (int k = 0; k < o->nfields; k++) {
			const struct field *fd = &o->fields[k];
			if (!ours(o, fd))
				continue;
			char *rel = xasprintf("%s/objects/%s/fields/%s.field-meta.xml", base, meta_object(o), fd->name);
			if (!(f = out(dir, rel)))
				return free(rel), fclose(ps), -1;
			field_xml(f, o, fd);
			fclose(f);
			free(rel);
			/* A required or master-detail field is always editable: no permission to grant. */
			if (!fd->required && fd->type != F_REFERENCE)
				fprintf(ps,
				    "    <fieldPermissions>\n        <editable>true</editable>\n"
				    "        <field>%s.%s</field>\n        <readable>true</readable>\n    </fieldPermissions>\n",
				    meta_object(o), fd->name);
		}
	}
	fprintf(ps, "    <label>DG Writer</label>\n%s</PermissionSet>\n", sb_str(&objperm));
	sb_free(&objperm);
	return fclose(ps) == 0 ? 0 : -1;
}
