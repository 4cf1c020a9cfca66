/* reply.c: what a handler reads of its request and how it answers: JSON bodies, the
 * REST error array of a real org, arguments and headers. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "sandbox.h"

void
reply_json(struct req *h, int status, jv v)
{
	h->status = status;
	sb_reset(&h->out);
	jx_dump(&h->out, v);
	jv_free(v);
	h->ctype = "application/json;charset=UTF-8";
}

void
reply_error(struct req *h, int status, const char *code, const char *msg)
{
	jv e = jv_object();
	e = jv_object_set(e, jv_string("message"), jv_string(msg));
	e = jv_object_set(e, jv_string("errorCode"), jv_string(code));
	reply_json(h, status, jv_array_append(jv_array(), e));
}

/* Turns per-record errors ({statusCode, message, fields}) into the REST error array. */
static jv
rest_errors(jv errs)
{
	jv out = jv_array();
	for (int i = 0; i < jx_len(errs); i++) {
		jv e = jx_at(errs, i);
		jv o = jv_object();
		o = jv_object_set(o, jv_string("message"), jv_string(jx_str(e, "message") ? jx_str(e, "message") : ""));
		o = jv_object_set(o, jv_string("errorCode"),
		    jv_string(jx_str(e, "statusCode") ? jx_str(e, "statusCode") : "UNKNOWN_EXCEPTION"));
		jv f = jx_get(e, "fields", JV_KIND_ARRAY);
		if (jx_len(f))
			o = jv_object_set(o, jv_string("fields"), jv_copy(f));
		jv dup = jx_get(e, "duplicateResult", JV_KIND_OBJECT);
		if (jv_is_valid(dup))
			o = jv_object_set(o, jv_string("duplicateResult"), jv_copy(dup));
		out = jv_array_append(out, o);
	}
	jv_free(errs);
	return out;
}

void
reply_errors(struct req *h, int status, jv errs)
{
	reply_json(h, status, rest_errors(errs));
}

const char *
req_arg(struct req *h, const char *name)
{
	return MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
req_header(struct req *h, const char *name)
{
	return MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, name);
}

/* Parses the request body as JSON; on failure answers 400 and returns jv_invalid(). */
jv
req_body_json(struct req *h)
{
	const char *ct = h->content_type;
	if (!ct || strncasecmp(ct, "application/json", 16)) {
		char *m = xasprintf("MediaType of '%s' is not supported by this resource", ct ? ct : "");
		reply_error(h, 415, "UNSUPPORTED_MEDIA_TYPE", m);
		free(m);
		return jv_invalid();
	}
	if (!h->bodylen) {
		reply_error(h, 400, "JSON_PARSER_ERROR", "No content to map due to end-of-input");
		return jv_invalid();
	}
	jv v = h->preparsed ? h->parsed : jv_parse_sized(h->body, (int)h->bodylen);
	h->preparsed = 0;
	if (!jv_is_valid(v)) {
		jv msg = jv_invalid_get_msg(v);
		char *m = xasprintf("Json Deserialization failed: %s",
		    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "bad JSON");
		jv_free(msg);
		reply_error(h, 400, "JSON_PARSER_ERROR", m);
		free(m);
		return jv_invalid();
	}
	return v;
}
