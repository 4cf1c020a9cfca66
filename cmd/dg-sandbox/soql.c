/* soql.c: the SOQL subset dg-sandbox answers, and nothing silently beyond it.
 *
 * SELECT items FROM object [WHERE cond] [ORDER BY keys] [LIMIT n] [OFFSET n], where an
 * item is a field path (Account.Name), COUNT(), or a child subquery over a child
 * relationship; cond has AND/OR/NOT (never AND and OR mixed without parentheses, as
 * in SOQL), = != <> < <= > >=, IN / NOT IN over literals or a semi-join, LIKE, null,
 * dates, datetimes and relative date literals. Everything else is MALFORMED_QUERY.
 * A parse allocates from one arena freed at the end, so errors can longjmp out.
 * Running a parsed query is query.c's. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "sandbox.h"
#include "tz.h"

#define MAXDEPTH 40

enum tk { T_EOF, T_IDENT, T_STR, T_NUM, T_DATE, T_DT, T_LP, T_RP, T_COMMA, T_COLON, T_OP };
struct tok {
	enum tk t;
	int pos, len;
	char *str;
	double num;
	time_t time;
	char op[3];
};

struct parser {
	const char *q;
	int pos, depth;
	struct tok tok;
	void **arena;
	int narena, carena;
	jmp_buf jb;
	const char *code;
	char msg[512];
	int errpos;
};

static void *
palloc(struct parser *p, size_t n)
{
	void *m = xcalloc(1, n);
	if (p->narena == p->carena) {
		p->carena = p->carena ? 2 * p->carena : 64;
		p->arena = xrealloc(p->arena, (size_t)p->carena * sizeof *p->arena);
	}
	p->arena[p->narena++] = m;
	return m;
}

static char *
pstrndup(struct parser *p, const char *s, size_t n)
{
	char *d = palloc(p, n + 1);
	memcpy(d, s, n);
	return d;
}

static void fail(struct parser *p, int pos, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));
static void
fail(struct parser *p, int pos, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof p->msg, fmt, ap);
	va_end(ap);
	p->code = code;
	p->errpos = pos;
	longjmp(p->jb, 1);
}

static void
unexpected(struct parser *p)
{
	if (p->tok.t == T_EOF)
		fail(p, p->tok.pos, "MALFORMED_QUERY", "unexpected token: <EOF>");
	fail(p, p->tok.pos, "MALFORMED_QUERY", "unexpected token: '%.*s'", p->tok.len > 40 ? 40 : p->tok.len,
	    p->q + p->tok.pos);
}

static int
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static void
next(struct parser *p)
{
	const char *q = p->q;
	int i = p->pos;
	while (isspace((unsigned char)q[i]))
		i++;
	struct tok *t = &p->tok;
	memset(t, 0, sizeof *t);
	t->pos = i;
	char c = q[i];
	if (!c) {
		t->t = T_EOF;
	} else if (isalpha((unsigned char)c) || c == '_') {
		int j = i;
		while (isalnum((unsigned char)q[j]) || q[j] == '_' || q[j] == '.')
			j++;
		t->t = T_IDENT;
		t->len = j - i;
	} else if (c == '\'') {
		struct sb b = { 0 };
		int j = i + 1;
		for (;;) {
			if (!q[j]) {
				sb_free(&b);
				fail(p, i, "MALFORMED_QUERY", "unterminated string literal");
			}
			if (q[j] == '\'')
				break;
			if (q[j] == '\\') {
				char e = q[++j];
				const char *map = e == 'n' ? "\n"
				    : e == 't'             ? "\t"
				    : e == 'r'             ? "\r"
				    : e == 'b'             ? "\b"
				    : e == 'f'             ? "\f"
							   : NULL;
				if (map)
					sb_add(&b, map);
				else if (e == '\'' || e == '"' || e == '\\')
					sb_addc(&b, e);
				else if (e == '%' || e == '_') { /* kept escaped for LIKE */
					sb_addc(&b, '\\');
					sb_addc(&b, e);
				} else {
					sb_free(&b);
					fail(
					    p, j, "MALFORMED_QUERY", "Invalid string literal: illegal escape sequence");
				}
				j++;
				continue;
			}
			sb_addc(&b, q[j++]);
		}
		t->t = T_STR;
		t->str = pstrndup(p, sb_str(&b), b.len);
		sb_free(&b);
		t->len = j + 1 - i;
	} else if (isdigit((unsigned char)c) || ((c == '-' || c == '+') && isdigit((unsigned char)q[i + 1]))) {
		if (digits(q + i, 4) && q[i + 4] == '-' && digits(q + i + 5, 2) && q[i + 7] == '-' &&
		    digits(q + i + 8, 2)) {
			int j = i + 10;
			if (q[j] == 'T') {
				j++;
				while (isdigit((unsigned char)q[j]) || q[j] == ':' || q[j] == '.')
					j++;
				if (q[j] == 'Z')
					j++;
				else if ((q[j] == '+' || q[j] == '-') && digits(q + j + 1, 2) && q[j + 3] == ':' &&
				    digits(q + j + 4, 2))
					j += 6;
				else
					fail(p, i, "MALFORMED_QUERY",
					    "line 1:%d no viable alternative at character '%c'", j, q[j] ? q[j] : ' ');
				t->t = T_DT;
			} else
				t->t = T_DATE;
			char *s = pstrndup(p, q + i, (size_t)(j - i));
			if (time_parse(s, &t->time) < 0)
				fail(p, i, "MALFORMED_QUERY", "invalid date: %s", s);
			t->len = j - i;
		} else {
			char *end;
			t->num = strtod(q + i, &end);
			t->t = T_NUM;
			t->len = (int)(end - (q + i));
		}
	} else if (c == '(' || c == ')' || c == ',' || c == ':') {
		t->t = c == '(' ? T_LP : c == ')' ? T_RP : c == ',' ? T_COMMA : T_COLON;
		t->len = 1;
	} else if (strchr("=!<>", c)) {
		t->t = T_OP;
		t->len = 1;
		if ((c == '!' || c == '<' || c == '>') && q[i + 1] == '=')
			t->len = 2;
		else if (c == '<' && q[i + 1] == '>')
			t->len = 2;
		if (c == '!' && t->len == 1)
			fail(p, i, "MALFORMED_QUERY", "unexpected token: '!'");
		memcpy(t->op, q + i, (size_t)t->len);
		if (!strcmp(t->op, "<>"))
			strcpy(t->op, "!=");
	} else {
		fail(p, i, "MALFORMED_QUERY", "line 1:%d no viable alternative at character '%c'", i, c);
	}
	p->pos = i + t->len;
}

static int
kw(struct parser *p, const char *w)
{
	return p->tok.t == T_IDENT && (int)strlen(w) == p->tok.len &&
	    !strncasecmp(p->q + p->tok.pos, w, (size_t)p->tok.len);
}

static void
expect_kw(struct parser *p, const char *w)
{
	if (!kw(p, w))
		unexpected(p);
	next(p);
}

static void
expect(struct parser *p, enum tk t)
{
	if (p->tok.t != t)
		unexpected(p);
	next(p);
}

static char *
ident(struct parser *p)
{
	if (p->tok.t != T_IDENT)
		unexpected(p);
	char *s = pstrndup(p, p->q + p->tok.pos, (size_t)p->tok.len);
	next(p);
	return s;
}

static const char *const reserved[] = { "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY",
	"LIMIT", "OFFSET", "GROUP", "HAVING", "WITH", "FOR", "USING", "NULLS", "ASC", "DESC", "INCLUDES", "EXCLUDES",
	"TYPEOF", "NULL", "TRUE", "FALSE", NULL };

static int
is_reserved(struct parser *p)
{
	for (int i = 0; reserved[i]; i++)
		if (kw(p, reserved[i]))
			return 1;
	return 0;
}

/* Resolves "Account.Owner.Name" on o into reference fields and a final field. */
static void
resolve(struct parser *p, struct obj *o, const char *text, int pos, struct path *out)
{
	char *parts[MAXPATH + 1];
	int n = 0;
	const char *s = text;
	while (n <= MAXPATH) {
		const char *dot = strchr(s, '.');
		parts[n++] = pstrndup(p, s, dot ? (size_t)(dot - s) : strlen(s));
		if (!dot)
			break;
		s = dot + 1;
	}
	if (n > MAXPATH || !*parts[n - 1])
		fail(p, pos, "MALFORMED_QUERY", "unexpected token: '%s'", text);
	int i = 0;
	if (n > 1 && !strcasecmp(parts[0], o->name) && !schema_field_rel(o, parts[0]))
		i = 1;
	memset(out, 0, sizeof *out);
	struct obj *cur = o;
	for (; i < n - 1; i++) {
		struct field *f = schema_field_rel(cur, parts[i]);
		if (!f)
			fail(p, pos, "INVALID_FIELD",
			    "Didn't understand relationship '%s' in field path. If you are "
			    "attempting to use a custom relationship, be sure to append the '__r' after the custom "
			    "relationship name. Please reference your WSDL or the describe call for the appropriate names.",
			    parts[i]);
		out->names[out->n] = f->name;
		out->rels[out->n++] = f->rel;
		/* A polymorphic relationship (What, Who) resolves on the first object that
		 * has the next name; at run time each row follows its own Id's object. */
		struct obj *nx = NULL;
		for (int k = 0; k < f->nref && !nx; k++) {
			struct obj *c = schema_obj(f->ref[k]);
			if (c &&
			    (i + 1 < n - 1 ? schema_field_rel(c, parts[i + 1]) != NULL
					   : schema_field(c, parts[i + 1]) != NULL))
				nx = c;
		}
		cur = nx ? nx : schema_obj(f->ref[0]);
		if (!cur)
			fail(p, pos, "INVALID_FIELD", "Didn't understand relationship '%s' in field path.", parts[i]);
	}
	struct field *f = schema_field(cur, parts[n - 1]);
	if (!f)
		fail(p, pos, "INVALID_FIELD",
		    "No such column '%s' on entity '%s'. If you are attempting to use a "
		    "custom field, be sure to append the '__c' after the custom field name. Please reference your "
		    "WSDL or the describe call for the appropriate names.",
		    parts[n - 1], cur->name);
	out->names[out->n] = f->name;
	out->rels[out->n++] = NULL;
	out->field = f;
}

/* Relative date literals, as ranges [lo, hi) in UTC. */
static time_t
unit_start(time_t now, int unit, long k)
{
	struct tm tm;
	gmtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	switch (unit) {
	case 0: tm.tm_mday += (int)k; break;                    /* day */
	case 1: tm.tm_mday += (int)(7 * k) - tm.tm_wday; break; /* week, from Sunday */
	case 2:
		tm.tm_mday = 1;
		tm.tm_mon += (int)k;
		break; /* month */
	case 3:
		tm.tm_mday = 1;
		tm.tm_mon = tm.tm_mon / 3 * 3 + (int)(3 * k);
		break; /* quarter */
	default:
		tm.tm_mday = 1;
		tm.tm_mon = 0;
		tm.tm_year += (int)k;
		break; /* year */
	}
	tm.tm_isdst = 0;
	return timegm(&tm);
}

static int
relative(struct parser *p, const char *w, struct lit *l)
{
	static const char *const units[] = { "DAY", "WEEK", "MONTH", "QUARTER", "YEAR" };
	static const char *const nunits[] = { "DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS" };
	time_t now = org_now();
	long lo = 0, hi = 0;
	int unit = -1;
	if (!strcasecmp(w, "TODAY"))
		unit = 0, lo = 0, hi = 1;
	else if (!strcasecmp(w, "YESTERDAY"))
		unit = 0, lo = -1, hi = 0;
	else if (!strcasecmp(w, "TOMORROW"))
		unit = 0, lo = 1, hi = 2;
	else if (!strcasecmp(w, "LAST_90_DAYS"))
		unit = 0, lo = -90, hi = 1;
	else if (!strcasecmp(w, "NEXT_90_DAYS"))
		unit = 0, lo = 1, hi = 91;
	for (int u = 1; u < 5 && unit < 0; u++) {
		char b[32];
		snprintf(b, sizeof b, "THIS_%s", units[u]);
		if (!strcasecmp(w, b))
			unit = u, lo = 0, hi = 1;
		snprintf(b, sizeof b, "LAST_%s", units[u]);
		if (!strcasecmp(w, b))
			unit = u, lo = -1, hi = 0;
		snprintf(b, sizeof b, "NEXT_%s", units[u]);
		if (!strcasecmp(w, b))
			unit = u, lo = 1, hi = 2;
	}
	for (int u = 0; u < 5 && unit < 0; u++) {
		char last[32], nxt[32];
		snprintf(last, sizeof last, "LAST_N_%s", nunits[u]);
		snprintf(nxt, sizeof nxt, "NEXT_N_%s", nunits[u]);
		int is_ago = u == 0 && !strcasecmp(w, "N_DAYS_AGO");
		if (strcasecmp(w, last) && strcasecmp(w, nxt) && !is_ago)
			continue;
		if (p->tok.t != T_COLON)
			fail(p, p->tok.pos, "MALFORMED_QUERY", "%s needs ':n'", w);
		next(p);
		if (p->tok.t != T_NUM || p->tok.num < 0 || p->tok.num != (long)p->tok.num || p->tok.num > 100000)
			fail(p, p->tok.pos, "MALFORMED_QUERY", "%s needs a whole number of %s", w, nunits[u]);
		long n = (long)p->tok.num;
		next(p);
		unit = u;
		if (is_ago)
			lo = -n, hi = -n + 1;
		else if (!strncasecmp(w, "LAST", 4))
			lo = -n, hi = u == 0 ? 1 : 0; /* LAST_N_DAYS includes today */
		else
			lo = 1, hi = n + 1;
	}
	if (unit < 0)
		return 0;
	l->k = L_TIME;
	l->lo = unit_start(now, unit, lo);
	l->hi = unit_start(now, unit, hi);
	return 1;
}

/* Reads one literal and checks it fits the field it is compared with. */
static void
literal(struct parser *p, const struct field *f, struct lit *l)
{
	int pos = p->tok.pos;
	const char *want = ftype_name(f->type);
	memset(l, 0, sizeof *l);
	if (p->tok.t == T_STR) {
		l->k = L_STR;
		l->s = p->tok.str;
		next(p);
		if (f->type == F_ID || f->type == F_REFERENCE) {
			char nid[SFID_SIZE];
			if (id_norm(l->s, nid) < 0)
				fail(p, pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: %s", l->s);
			l->s = pstrndup(p, nid, 18);
		} else if (!ftype_is_text(f->type))
			fail(p, pos, "INVALID_FIELD",
			    "value of filter criterion for field '%s' must be of type %s and "
			    "should not be enclosed in quotes",
			    f->name, want);
		return;
	}
	if (p->tok.t == T_NUM) {
		if (!ftype_is_number(f->type))
			fail(p, pos, "INVALID_FIELD", "value of filter criterion for field '%s' must be of type %s%s",
			    f->name, want, ftype_is_text(f->type) ? " and should be enclosed in quotes" : "");
		l->k = L_NUM;
		l->num = p->tok.num;
		next(p);
		return;
	}
	if (p->tok.t == T_DATE || p->tok.t == T_DT) {
		if (f->type != (p->tok.t == T_DATE ? F_DATE : F_DATETIME))
			fail(p, pos, "INVALID_FIELD",
			    "value of filter criterion for field '%s' must be of type %s and "
			    "should not be enclosed in quotes",
			    f->name, want);
		l->k = L_TIME;
		l->lo = p->tok.time;
		l->hi = p->tok.time + (p->tok.t == T_DATE ? DAY_SECONDS : 1);
		next(p);
		return;
	}
	if (kw(p, "NULL")) {
		l->k = L_NULL;
		next(p);
		return;
	}
	if (kw(p, "TRUE") || kw(p, "FALSE")) {
		if (f->type != F_BOOLEAN)
			fail(p, pos, "INVALID_FIELD", "value of filter criterion for field '%s' must be of type %s",
			    f->name, want);
		l->k = L_BOOL;
		l->b = kw(p, "TRUE");
		next(p);
		return;
	}
	if (p->tok.t == T_IDENT) {
		char *w = ident(p);
		if (relative(p, w, l)) {
			if (f->type != F_DATE && f->type != F_DATETIME)
				fail(p, pos, "INVALID_FIELD",
				    "value of filter criterion for field '%s' must be of type %s", f->name, want);
			return;
		}
		fail(p, pos, "MALFORMED_QUERY", "unexpected token: '%s'", w);
	}
	unexpected(p);
}

static struct query *parse_query(struct parser *p, struct obj *outer, int semi);

static struct cond *parse_expr(struct parser *p, struct obj *o);

static struct cond *
parse_unary(struct parser *p, struct obj *o)
{
	struct cond *c = palloc(p, sizeof *c);
	c->set = jv_invalid();
	if (++p->depth > MAXDEPTH)
		fail(p, p->tok.pos, "MALFORMED_QUERY", "query is nested too deeply");
	if (kw(p, "NOT")) {
		next(p);
		c->k = C_NOT;
		c->a = parse_unary(p, o);
		p->depth--;
		return c;
	}
	if (p->tok.t == T_LP) {
		next(p);
		c = parse_expr(p, o);
		expect(p, T_RP);
		p->depth--;
		return c;
	}
	int pos = p->tok.pos;
	if (is_reserved(p))
		unexpected(p);
	char *name = ident(p);
	resolve(p, o, name, pos, &c->path);
	const struct field *f = c->path.field;
	if (p->tok.t == T_OP) {
		c->k = C_CMP;
		memcpy(c->op, p->tok.op, sizeof c->op);
		next(p);
		c->vals = palloc(p, sizeof *c->vals);
		c->nvals = 1;
		int vpos = p->tok.pos;
		literal(p, f, c->vals);
		if (c->vals->k == L_NULL && strcmp(c->op, "=") && strcmp(c->op, "!="))
			fail(p, vpos, "MALFORMED_QUERY", "null can only be compared with = or !=");
		if ((c->vals->k == L_BOOL || f->type == F_BOOLEAN) && strcmp(c->op, "=") && strcmp(c->op, "!="))
			fail(p, vpos, "INVALID_FIELD", "invalid operator on boolean field: %s", f->name);
	} else if (kw(p, "LIKE")) {
		next(p);
		if (!ftype_is_text(f->type) || f->type == F_ID || f->type == F_REFERENCE)
			fail(p, pos, "INVALID_FIELD", "invalid operator on field '%s': LIKE works on text fields",
			    f->name);
		if (p->tok.t != T_STR)
			unexpected(p);
		c->k = C_LIKE;
		c->vals = palloc(p, sizeof *c->vals);
		c->nvals = 1;
		literal(p, f, c->vals);
	} else if (kw(p, "IN") || kw(p, "NOT")) {
		c->neg = kw(p, "NOT");
		next(p);
		if (c->neg)
			expect_kw(p, "IN");
		c->k = C_IN;
		expect(p, T_LP);
		if (kw(p, "SELECT")) {
			if (f->type != F_ID && f->type != F_REFERENCE)
				fail(p, pos, "MALFORMED_QUERY", "semi-join field '%s' must be an Id or a reference",
				    f->name);
			c->semi = parse_query(p, NULL, 1);
		} else {
			int cap = 8;
			c->vals = palloc(p, (size_t)cap * sizeof *c->vals);
			for (;;) {
				if (c->nvals == cap) {
					if (cap >= 4096)
						fail(p, p->tok.pos, "MALFORMED_QUERY", "too many values in IN");
					struct lit *nv = palloc(p, (size_t)cap * 2 * sizeof *nv);
					memcpy(nv, c->vals, (size_t)cap * sizeof *nv);
					c->vals = nv;
					cap *= 2;
				}
				literal(p, f, &c->vals[c->nvals]);
				if (c->vals[c->nvals].k == L_TIME &&
				    c->vals[c->nvals].hi - c->vals[c->nvals].lo > DAY_SECONDS)
					fail(p, pos, "MALFORMED_QUERY", "relative date literals are not allowed in IN");
				c->nvals++;
				if (p->tok.t != T_COMMA)
					break;
				next(p);
			}
		}
		expect(p, T_RP);
	} else if (kw(p, "INCLUDES") || kw(p, "EXCLUDES")) {
		fail(p, p->tok.pos, "MALFORMED_QUERY", "INCLUDES and EXCLUDES are not supported by dg-sandbox");
	} else
		unexpected(p);
	p->depth--;
	return c;
}

static struct cond *
parse_expr(struct parser *p, struct obj *o)
{
	struct cond *left = parse_unary(p, o);
	int op = -1;
	while (kw(p, "AND") || kw(p, "OR")) {
		int this = kw(p, "AND") ? C_AND : C_OR;
		if (op >= 0 && op != this)
			unexpected(p); /* SOQL needs parentheses to mix AND and OR */
		op = this;
		next(p);
		struct cond *c = palloc(p, sizeof *c);
		c->set = jv_invalid();
		c->k = (enum ckind)this;
		c->a = left;
		c->b = parse_unary(p, o);
		left = c;
	}
	return left;
}

static long
parse_count(struct parser *p, long max, const char *what)
{
	int pos = p->tok.pos;
	if (p->tok.t != T_NUM || p->tok.num < 0 || p->tok.num != (long)p->tok.num)
		fail(p, pos, "MALFORMED_QUERY", "%s needs a whole number", what);
	if (p->tok.num > max)
		fail(p, pos, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL %s allowed is %ld", what, max);
	long n = (long)p->tok.num;
	next(p);
	return n;
}

/* A select list is read raw and resolved once FROM names the object; child
 * subqueries are skipped and parsed again with their parent known. */
struct rawitem {
	char *text;
	int pos, sub;
};

/* ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ... (at most 32). */
static void
parse_order(struct parser *p, struct query *q)
{
	next(p);
	expect_kw(p, "BY");
	q->ord = palloc(p, 32 * sizeof *q->ord);
	for (;;) {
		if (q->nord == 32)
			fail(p, p->tok.pos, "MALFORMED_QUERY", "too many ORDER BY fields");
		struct ord *o = &q->ord[q->nord++];
		int pos = p->tok.pos;
		if (is_reserved(p))
			unexpected(p);
		resolve(p, q->obj, ident(p), pos, &o->path);
		if (kw(p, "ASC") || kw(p, "DESC")) {
			o->desc = kw(p, "DESC");
			next(p);
		}
		o->nulls_last = o->desc;
		if (kw(p, "NULLS")) {
			next(p);
			if (kw(p, "FIRST"))
				o->nulls_last = 0;
			else if (kw(p, "LAST"))
				o->nulls_last = 1;
			else
				unexpected(p);
			next(p);
		}
		if (p->tok.t != T_COMMA)
			break;
		next(p);
	}
}

/* FROM object [alias], or in a subquery FROM a child relationship of outer. */
static void
parse_from(struct parser *p, struct query *q, struct obj *outer)
{
	int fpos = p->tok.pos;
	char *from = ident(p);
	if (outer) {
		q->rel = schema_child(outer, from);
		if (!q->rel)
			fail(p, fpos, "INVALID_TYPE",
			    "Didn't understand relationship '%s' in FROM part of query call. If you "
			    "are attempting to use a custom relationship, be sure to append the '__r' after the custom "
			    "relationship name. Please reference your WSDL or the describe call for the appropriate names.",
			    from);
		q->obj = q->rel->child;
	} else {
		q->obj = schema_obj(from);
		if (!q->obj)
			fail(p, fpos, "INVALID_TYPE",
			    "sObject type '%s' is not supported. If you are attempting to use a custom "
			    "object, be sure to append the '__c' after the entity name. Please reference your WSDL or the "
			    "describe call for the appropriate names.",
			    from);
	}
	if (p->tok.t == T_IDENT && !is_reserved(p))
		next(p); /* an alias: FROM Contact c */
}

static struct query *
parse_query(struct parser *p, struct obj *outer, int semi)
{
	struct query *q = palloc(p, sizeof *q);
	q->limit = -1;
	if (++p->depth > MAXDEPTH)
		fail(p, p->tok.pos, "MALFORMED_QUERY", "query is nested too deeply");
	expect_kw(p, "SELECT");
	struct rawitem *raw = NULL;
	int nraw = 0, cap = 0;
	for (;;) {
		if (nraw == cap) {
			cap = cap ? cap * 2 : 16;
			struct rawitem *nr = palloc(p, (size_t)cap * sizeof *nr);
			if (raw)
				memcpy(nr, raw, (size_t)nraw * sizeof *nr);
			raw = nr;
		}
		struct rawitem *r = &raw[nraw];
		r->pos = p->tok.pos;
		if (kw(p, "COUNT")) {
			next(p);
			expect(p, T_LP);
			if (p->tok.t != T_RP)
				fail(p, p->tok.pos, "MALFORMED_QUERY", "only COUNT() is supported by dg-sandbox");
			next(p);
			q->count = 1;
		} else if (p->tok.t == T_LP) {
			if (outer || semi)
				unexpected(p);
			/* Skip to the matching parenthesis; strings may hold parentheses. */
			int level = 0;
			do {
				if (p->tok.t == T_LP)
					level++;
				else if (p->tok.t == T_RP)
					level--;
				else if (p->tok.t == T_EOF)
					unexpected(p);
				next(p);
			} while (level > 0);
			r->sub = 1;
			nraw++;
		} else {
			if (is_reserved(p) || p->tok.t != T_IDENT)
				unexpected(p);
			r->text = ident(p);
			nraw++;
		}
		if (p->tok.t != T_COMMA)
			break;
		next(p);
	}
	if (q->count && nraw)
		fail(p, raw[0].pos, "MALFORMED_QUERY", "COUNT() cannot be combined with other fields");
	expect_kw(p, "FROM");
	int fpos = p->tok.pos;
	parse_from(p, q, outer);
	q->items = palloc(p, (size_t)(nraw + 1) * sizeof *q->items);
	for (int i = 0; i < nraw; i++) {
		struct selitem *it = &q->items[q->nitems++];
		if (raw[i].sub) {
			struct parser save = *p;
			p->pos = raw[i].pos + 1; /* after '(' */
			next(p);
			it->k = I_SUB;
			it->sub = parse_query(p, q->obj, 0);
			if (p->tok.t != T_RP)
				unexpected(p);
			save.arena = p->arena, save.narena = p->narena, save.carena = p->carena;
			*p = save;
		} else {
			it->k = I_FIELD;
			resolve(p, q->obj, raw[i].text, raw[i].pos, &it->path);
		}
	}
	if (semi &&
	    (q->nitems != 1 || q->count ||
		(q->items[0].path.field->type != F_ID && q->items[0].path.field->type != F_REFERENCE) ||
		q->items[0].path.n != 1))
		fail(p, raw && nraw ? raw[0].pos : fpos, "MALFORMED_QUERY",
		    "a semi-join selects exactly one Id or reference field of its object");
	if (kw(p, "WHERE")) {
		next(p);
		q->where = parse_expr(p, q->obj);
	}
	if (kw(p, "WITH") || kw(p, "GROUP") || kw(p, "HAVING") || kw(p, "USING") || kw(p, "FOR"))
		fail(p, p->tok.pos, "MALFORMED_QUERY", "%.*s is not supported by dg-sandbox", p->tok.len,
		    p->q + p->tok.pos);
	if (kw(p, "ORDER"))
		parse_order(p, q);
	if (kw(p, "LIMIT")) {
		next(p);
		q->limit = parse_count(p, 50000000, "LIMIT");
	}
	if (kw(p, "OFFSET")) {
		if (outer)
			fail(p, p->tok.pos, "MALFORMED_QUERY", "OFFSET is not allowed in a subquery");
		next(p);
		q->offset = parse_count(p, 2000, "offset");
	}
	p->depth--;
	return q;
}

struct query *
soql_parse(const char *text, void **mem, struct soql_err *err)
{
	struct parser *p = xcalloc(1, sizeof *p);
	p->q = text;
	*mem = p;
	if (setjmp(p->jb) == 0) {
		next(p);
		struct query *q = parse_query(p, NULL, 0);
		if (p->tok.t != T_EOF)
			unexpected(p);
		return q;
	}
	err->code = p->code;
	snprintf(err->msg, sizeof err->msg, "%s", p->msg);
	err->pos = p->errpos;
	return NULL;
}

void
soql_free(void *mem)
{
	struct parser *p = mem;
	if (!p)
		return;
	for (int i = 0; i < p->narena; i++)
		free(p->arena[i]);
	free(p->arena);
	free(p);
}
