/* schema.c: the objects and fields the sandbox knows, its Ids, and describe. */
#include "sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "yamljv.h"

static struct obj *objs;
static int nobjs;
static jv without; /* names of the objects this org does not have (--without) */

static const char *const tnames[] = { "id", "string", "textarea", "picklist", "combobox", "reference", "date",
	"datetime", "boolean", "int", "double", "currency", "percent", "email", "url", "phone" };

const char *
ftype_name(enum ftype t)
{
	return tnames[t];
}

int
ftype_is_text(enum ftype t)
{
	return t == F_ID || t == F_STRING || t == F_TEXTAREA || t == F_PICKLIST || t == F_COMBOBOX ||
	    t == F_REFERENCE || t == F_EMAIL || t == F_URL || t == F_PHONE;
}

int
ftype_is_number(enum ftype t)
{
	return t == F_INT || t == F_DOUBLE || t == F_CURRENCY || t == F_PERCENT;
}

int
schema_nobjs(void)
{
	return nobjs;
}
struct obj *
schema_at(int i)
{
	return &objs[i];
}

struct obj *
schema_obj(const char *name)
{
	for (int i = 0; i < nobjs; i++)
		if (!strcasecmp(objs[i].name, name))
			return &objs[i];
	return NULL;
}

struct obj *
schema_obj_prefix(const char *id)
{
	if (!id || strlen(id) < 3)
		return NULL;
	for (int i = 0; i < nobjs; i++)
		if (!strncmp(objs[i].prefix, id, 3))
			return &objs[i];
	return NULL;
}

struct field *
schema_field(const struct obj *o, const char *name)
{
	for (int i = 0; i < o->nfields; i++)
		if (!strcasecmp(o->fields[i].name, name))
			return &o->fields[i];
	return NULL;
}

struct field *
schema_field_rel(const struct obj *o, const char *rel)
{
	for (int i = 0; i < o->nfields; i++)
		if (o->fields[i].rel && !strcasecmp(o->fields[i].rel, rel))
			return &o->fields[i];
	return NULL;
}

struct childrel *
schema_child(const struct obj *o, const char *name)
{
	for (int i = 0; i < o->nchildren; i++)
		if (!strcasecmp(o->children[i].name, name))
			return &o->children[i];
	return NULL;
}

static struct field *
add_field(struct obj *o, const char *name)
{
	struct field *f = schema_field(o, name);
	if (f)
		return f;
	o->fields = xrealloc(o->fields, (size_t)(o->nfields + 1) * sizeof *o->fields);
	f = &o->fields[o->nfields++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	f->key = jv_string(name);
	f->create = f->update = 1;
	f->def = jv_invalid();
	return f;
}

static void
sys_field(struct obj *o, const char *name, enum ftype t, const char *ref, const char *rel)
{
	struct field *f = add_field(o, name);
	f->type = t;
	f->create = f->update = 0;
	if (t == F_ID)
		f->length = 18;
	if (ref) {
		f->ref[0] = xstrdup(ref);
		f->nref = 1;
		f->rel = xstrdup(rel);
		f->length = 18;
	}
}

static struct obj *
add_obj(const char *name)
{
	struct obj *o = schema_obj(name);
	if (o)
		return o;
	objs = xrealloc(objs, (size_t)(nobjs + 1) * sizeof *objs);
	o = &objs[nobjs++];
	memset(o, 0, sizeof *o);
	o->name = xstrdup(name);
	o->create = o->update = o->del = 1;
	sys_field(o, "Id", F_ID, NULL, NULL);
	sys_field(o, "IsDeleted", F_BOOLEAN, NULL, NULL);
	sys_field(o, "CreatedDate", F_DATETIME, NULL, NULL);
	sys_field(o, "CreatedById", F_REFERENCE, "User", "CreatedBy");
	sys_field(o, "LastModifiedDate", F_DATETIME, NULL, NULL);
	sys_field(o, "LastModifiedById", F_REFERENCE, "User", "LastModifiedBy");
	sys_field(o, "SystemModstamp", F_DATETIME, NULL, NULL);
	return o;
}

static int
bad(const char *file, const char *what, const char *a, const char *b)
{
	warnx("%s: %s '%s%s%s'", file, what, a, b ? "." : "", b ? b : "");
	return -1;
}

static int
is_custom(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && !strcmp(name + n - 3, "__c");
}

static int
load_field(const char *file, struct obj *o, const char *name, jv spec, int standard)
{
	if (jv_get_kind(spec) != JV_KIND_OBJECT)
		return bad(file, "field must be a mapping:", o->name, name);
	if (!standard && !is_custom(name) && !schema_field(o, name) && !o->custom)
		return bad(file, "custom field names end in __c:", o->name, name);
	struct field *f = add_field(o, name);
	f->custom = is_custom(name);
	const char *t = jx_str(spec, "type");
	int found = 0;
	for (size_t i = 0; t && i < sizeof tnames / sizeof *tnames; i++)
		if (!strcmp(t, tnames[i])) {
			f->type = (enum ftype)i;
			found = 1;
		}
	if (!found)
		return bad(file, "unknown or missing type for", o->name, name);
	f->length = (int)jx_num(spec, "length", f->type == F_REFERENCE ? 18 : 0);
	f->required = jx_bool(spec, "required", 0);
	f->create = jx_bool(spec, "create", 1);
	f->update = jx_bool(spec, "update", f->create);
	f->restricted = jx_bool(spec, "restricted", 0);
	f->unique = jx_bool(spec, "unique", 0);
	f->external_id = jx_bool(spec, "external_id", 0);
	jv vals = jx_get(spec, "values", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(vals); i++) {
		const char *v = jx_cstr(jx_at(vals, i));
		if (!v)
			return bad(file, "picklist values must be text:", o->name, name);
		f->values = xrealloc(f->values, (size_t)(f->nvalues + 1) * sizeof *f->values);
		f->values[f->nvalues++] = xstrdup(v);
	}
	jv refs = jx_get(spec, "ref", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(refs) && i < 4; i++)
		if (jx_cstr(jx_at(refs, i)))
			f->ref[f->nref++] = xstrdup(jx_cstr(jx_at(refs, i)));
	if (f->type == F_REFERENCE && (!f->nref || !jx_str(spec, "rel")))
		return bad(file, "a reference needs ref and rel:", o->name, name);
	if (jx_str(spec, "rel"))
		f->rel = xstrdup(jx_str(spec, "rel"));
	jv d = jv_object_get(jv_copy(spec), jv_string("default"));
	if (jv_is_valid(d))
		f->def = d;
	return 0;
}

/* Adds the child relationships named by "children:" once every object is known. */
static int
link_children(const char *file, jv doc)
{
	jv objsj = jx_get(doc, "objects", JV_KIND_OBJECT);
	int rc = 0;
	jv_object_foreach(objsj, k, spec)
	{
		struct obj *o = schema_obj(jv_string_value(k));
		jv fields = jx_get(spec, "fields", JV_KIND_OBJECT);
		if (jv_is_valid(fields))
			jv_object_foreach(fields, fk, fs)
			{
				const char *cname = jx_str(fs, "children");
				struct field *f = o ? schema_field(o, jv_string_value(fk)) : NULL;
				for (int i = 0; cname && f && i < f->nref; i++) {
					struct obj *p = schema_obj(f->ref[i]);
					if (!p) {
						rc = bad(file, "reference to an unknown object:", o->name, f->name);
						continue;
					}
					f->cascade = 1;
					if (schema_child(p, cname))
						continue;
					p->children =
					    xrealloc(p->children, (size_t)(p->nchildren + 1) * sizeof *p->children);
					p->children[p->nchildren++] = (struct childrel){ xstrdup(cname), o, f };
				}
				jv_free(fk);
				jv_free(fs);
			}
		jv_free(k);
		jv_free(spec);
	}
	return rc;
}

/* Loads one schema file; its document goes to *docp for link_children, which runs
 * once every file is in (pointers into the tables are stable only from then on). */
static int
load_file(const char *file, int standard, jv *docp)
{
	char err[512];
	jv doc = yaml_load_jv(file, err, sizeof err);
	if (!jv_is_valid(doc)) {
		warnx("%s", err);
		return -1;
	}
	jv objsj = jx_get(doc, "objects", JV_KIND_OBJECT);
	if (!jv_is_valid(objsj)) {
		jv_free(doc);
		return bad(file, "expected a mapping named", "objects", NULL);
	}
	/* An org without an object has none of its fields either. */
	for (int i = 0; i < jx_len(without); i++) {
		objsj = jv_object_delete(jv_copy(objsj), jv_copy(jx_at(without, i)));
		doc = jv_object_set(doc, jv_string("objects"), objsj);
		objsj = jx_get(doc, "objects", JV_KIND_OBJECT);
	}
	int rc = 0;
	jv_object_foreach(objsj, k, spec)
	{
		const char *name = jv_string_value(k);
		int exists = schema_obj(name) != NULL;
		if (!exists && !standard && !is_custom(name))
			rc = bad(file, "custom object names end in __c:", name, NULL);
		else if (jv_get_kind(spec) != JV_KIND_OBJECT)
			rc = bad(file, "object must be a mapping:", name, NULL);
		else {
			struct obj *o = add_obj(name);
			if (!exists) {
				const char *p = jx_str(spec, "prefix");
				if (!p || strlen(p) != 3 || schema_obj_prefix(p)) {
					rc = bad(file, "needs a 3-character key prefix of its own:", name, NULL);
					p = "???";
				}
				memcpy(o->prefix, p, 4);
				o->custom = is_custom(name);
				o->label = xstrdup(jx_str(spec, "label") ? jx_str(spec, "label") : name);
				o->plural = xstrdup(jx_str(spec, "plural") ? jx_str(spec, "plural") : o->label);
				o->create = jx_bool(spec, "create", 1);
				o->update = jx_bool(spec, "update", o->create);
				o->del = jx_bool(spec, "delete", 1);
			}
			jv fields = jx_get(spec, "fields", JV_KIND_OBJECT);
			if (jv_is_valid(fields))
				jv_object_foreach(fields, fk, fs)
				{
					if (load_field(file, o, jv_string_value(fk), fs, standard) < 0)
						rc = -1;
					jv_free(fk);
					jv_free(fs);
				}
		}
		jv_free(k);
		jv_free(spec);
	}
	*docp = doc;
	return rc;
}

void
schema_without(const char *name)
{
	if (jv_get_kind(without) != JV_KIND_ARRAY)
		without = jv_array();
	without = jv_array_append(without, jv_string(name));
}

int
schema_load(int nfiles, char **files)
{
	char *std = share_path("sandbox/standard.yaml");
	jv *docs = xcalloc((size_t)nfiles + 1, sizeof *docs);
	for (int i = 0; i <= nfiles; i++)
		docs[i] = jv_invalid();
	int rc = load_file(std, 1, &docs[0]);
	for (int i = 0; !rc && i < nfiles; i++)
		rc = load_file(files[i], 0, &docs[i + 1]);
	for (int i = 0; !rc && i <= nfiles; i++)
		rc = link_children(i ? files[i - 1] : std, docs[i]);
	for (int i = 0; i <= nfiles; i++)
		jv_free(docs[i]);
	free(docs);
	free(std);
	return rc;
}

/* ---- describe ---- */

static const char *
soap_type(enum ftype t)
{
	switch (t) {
	case F_ID:
	case F_REFERENCE: return "tns:ID";
	case F_DATE: return "xsd:date";
	case F_DATETIME: return "xsd:dateTime";
	case F_BOOLEAN: return "xsd:boolean";
	case F_INT: return "xsd:int";
	case F_DOUBLE:
	case F_CURRENCY:
	case F_PERCENT: return "xsd:double";
	default: return "xsd:string";
	}
}

static jv
obj_urls(const struct obj *o, const char *ver)
{
	jv u = jv_object();
	u = jv_object_set(u, jv_string("sobject"), jv_string_fmt("/services/data/v%s/sobjects/%s", ver, o->name));
	u = jv_object_set(
	    u, jv_string("describe"), jv_string_fmt("/services/data/v%s/sobjects/%s/describe", ver, o->name));
	u = jv_object_set(
	    u, jv_string("rowTemplate"), jv_string_fmt("/services/data/v%s/sobjects/%s/{ID}", ver, o->name));
	return u;
}

static jv
obj_summary(const struct obj *o, const char *ver)
{
	jv d = jv_object();
	d = jv_object_set(d, jv_string("name"), jv_string(o->name));
	d = jv_object_set(d, jv_string("label"), jv_string(o->label));
	d = jv_object_set(d, jv_string("labelPlural"), jv_string(o->plural));
	d = jv_object_set(d, jv_string("keyPrefix"), jv_string(o->prefix));
	d = jv_object_set(d, jv_string("custom"), jv_bool(o->custom));
	d = jv_object_set(d, jv_string("createable"), jv_bool(o->create));
	d = jv_object_set(d, jv_string("updateable"), jv_bool(o->update));
	d = jv_object_set(d, jv_string("deletable"), jv_bool(o->del));
	d = jv_object_set(d, jv_string("queryable"), jv_true());
	d = jv_object_set(d, jv_string("retrieveable"), jv_true());
	d = jv_object_set(d, jv_string("urls"), obj_urls(o, ver));
	return d;
}

jv
schema_describe(const struct obj *o, const char *ver)
{
	jv d = obj_summary(o, ver);
	jv fields = jv_array();
	for (int i = 0; i < o->nfields; i++) {
		const struct field *f = &o->fields[i];
		jv j = jv_object();
		j = jv_object_set(j, jv_string("name"), jv_string(f->name));
		j = jv_object_set(j, jv_string("label"), jv_string(f->name));
		j = jv_object_set(j, jv_string("type"), jv_string(ftype_name(f->type)));
		j = jv_object_set(j, jv_string("soapType"), jv_string(soap_type(f->type)));
		j = jv_object_set(j, jv_string("length"), jv_number(ftype_is_text(f->type) ? f->length : 0));
		j = jv_object_set(j, jv_string("custom"), jv_bool(f->custom));
		j = jv_object_set(
		    j, jv_string("nillable"), jv_bool(!f->required && f->type != F_BOOLEAN && f->type != F_ID));
		j = jv_object_set(j, jv_string("createable"), jv_bool(o->create && f->create));
		j = jv_object_set(j, jv_string("updateable"), jv_bool(o->update && f->update));
		j = jv_object_set(j, jv_string("defaultedOnCreate"), jv_bool(jv_is_valid(f->def) || !f->create));
		j = jv_object_set(j, jv_string("restrictedPicklist"), jv_bool(f->restricted));
		j = jv_object_set(j, jv_string("unique"), jv_bool(f->unique));
		j = jv_object_set(j, jv_string("externalId"), jv_bool(f->external_id));
		jv pv = jv_array();
		for (int k = 0; k < f->nvalues; k++) {
			jv p = jv_object();
			p = jv_object_set(p, jv_string("value"), jv_string(f->values[k]));
			p = jv_object_set(p, jv_string("label"), jv_string(f->values[k]));
			p = jv_object_set(p, jv_string("active"), jv_true());
			p = jv_object_set(p, jv_string("defaultValue"), jv_false());
			pv = jv_array_append(pv, p);
		}
		j = jv_object_set(j, jv_string("picklistValues"), pv);
		jv refs = jv_array();
		for (int k = 0; k < f->nref; k++)
			refs = jv_array_append(refs, jv_string(f->ref[k]));
		j = jv_object_set(j, jv_string("referenceTo"), refs);
		j = jv_object_set(j, jv_string("relationshipName"), f->rel ? jv_string(f->rel) : jv_null());
		fields = jv_array_append(fields, j);
	}
	d = jv_object_set(d, jv_string("fields"), fields);
	jv ch = jv_array();
	for (int i = 0; i < o->nchildren; i++) {
		jv c = jv_object();
		c = jv_object_set(c, jv_string("childSObject"), jv_string(o->children[i].child->name));
		c = jv_object_set(c, jv_string("field"), jv_string(o->children[i].field->name));
		c = jv_object_set(c, jv_string("relationshipName"), jv_string(o->children[i].name));
		c = jv_object_set(c, jv_string("cascadeDelete"), jv_false());
		ch = jv_array_append(ch, c);
	}
	d = jv_object_set(d, jv_string("childRelationships"), ch);
	return d;
}

jv
schema_global(const char *ver)
{
	jv a = jv_array();
	for (int i = 0; i < nobjs; i++)
		a = jv_array_append(a, obj_summary(&objs[i], ver));
	jv d = jv_object();
	d = jv_object_set(d, jv_string("encoding"), jv_string("UTF-8"));
	d = jv_object_set(d, jv_string("maxBatchSize"), jv_number(200));
	d = jv_object_set(d, jv_string("sobjects"), a);
	return d;
}

void
schema_set_values(const char *object, const char *field, const char *const *values, int restricted)
{
	struct obj *o = schema_obj(object);
	struct field *f = o ? schema_field(o, field) : NULL;

	if (!f)
		return;
	for (int k = 0; k < f->nvalues; k++)
		free(f->values[k]);
	f->nvalues = 0;
	for (; *values; values++) {
		f->values = xrealloc(f->values, (size_t)(f->nvalues + 1) * sizeof *f->values);
		f->values[f->nvalues++] = xstrdup(*values);
	}
	f->restricted = restricted;
}
