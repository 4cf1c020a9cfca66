/* auth.c: the OAuth 2.0 token endpoint (password, client credentials, refresh token,
 * JWT bearer) and the sessions it hands out. */
#include "sandbox.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "rng.h"

#define SANDBOX_SECURITY_TOKEN "dgSecurityToken"

struct session {
	char *token;
	long calls;
	int expired;
};
static struct session *sessions;
static int nsessions;
static long expire_after;
static EVP_PKEY *jwt_key;
static unsigned long token_seq;

void
auth_set_expire_after(long n)
{
	expire_after = n;
}
long
auth_expire_after(void)
{
	return expire_after;
}

void
auth_set_jwt_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		diex(EXIT_USAGE, "--jwt-cert '%s': cannot open", path);
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	if (x) {
		jwt_key = X509_get_pubkey(x);
		X509_free(x);
	} else {
		rewind(f);
		jwt_key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (!jwt_key)
		diex(EXIT_USAGE, "--jwt-cert '%s': not a PEM certificate or public key", path);
}

/* Decodes %XX and '+' of a form value in place. */
static void
form_unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char h[3] = { s[1], s[2], 0 };
			*o++ = (char)strtol(h, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

static jv
form_parse(const char *form)
{
	jv o = jv_object();
	char *copy = xstrdup(form ? form : ""), *save = NULL;
	for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq++ = '\0';
		form_unescape(kv);
		if (eq)
			form_unescape(eq);
		o = jv_object_set(o, jv_string(kv), jv_string(eq ? eq : ""));
	}
	free(copy);
	return o;
}

static size_t
b64url_decode(const char *in, unsigned char *out, size_t max)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned v = 0;
	int bits = 0;
	size_t n = 0;
	for (; *in && *in != '='; in++) {
		const char *p = strchr(a, *in == '+' ? '-' : *in == '/' ? '_' : *in);
		if (!p || !*in)
			return (size_t)-1;
		v = (v << 6) | (unsigned)(p - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == max)
				return (size_t)-1;
			out[n++] = (unsigned char)(v >> bits);
		}
	}
	return n;
}

static jv
oauth_error(int *status, const char *err, const char *desc)
{
	*status = 400;
	jv o = jv_object();
	o = jv_object_set(o, jv_string("error"), jv_string(err));
	return jv_object_set(o, jv_string("error_description"), jv_string(desc));
}

static jv
grant(const char *base_url, const char *secret, int sign)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	struct rng r;
	char tok[128];
	rng_init(&r, (uint64_t)time(NULL), "token", NULL, (long)++token_seq);
	int n = snprintf(tok, sizeof tok, "%.15s!AQ", org_id);
	for (int i = 0; i < 96; i++)
		tok[n++] = b62[rng_range(&r, 0, 61)];
	tok[n] = '\0';
	sessions = xrealloc(sessions, (size_t)(nsessions + 1) * sizeof *sessions);
	sessions[nsessions++] = (struct session){ xstrdup(tok), 0, 0 };

	char issued[32];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(issued, sizeof issued, "%lld", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	jv o = jv_object();
	o = jv_object_set(o, jv_string("access_token"), jv_string(tok));
	o = jv_object_set(o, jv_string("instance_url"), jv_string(base_url));
	jv id = jv_string_fmt("%s/id/%s/%s", base_url, org_id, org_user_id);
	o = jv_object_set(o, jv_string("id"), jv_copy(id));
	o = jv_object_set(o, jv_string("token_type"), jv_string("Bearer"));
	o = jv_object_set(o, jv_string("issued_at"), jv_string(issued));
	if (sign) {
		/* HMAC-SHA256 of id + issued_at keyed with the client secret, as Salesforce does. */
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned int maclen = 0;
		char *msg = xasprintf("%s%s", jv_string_value(id), issued);
		HMAC(EVP_sha256(), secret ? secret : "", (int)strlen(secret ? secret : ""), (unsigned char *)msg,
		    strlen(msg), mac, &maclen);
		free(msg);
		char b64[96];
		EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
		o = jv_object_set(o, jv_string("signature"), jv_string(b64));
	}
	jv_free(id);
	return jv_object_set(o, jv_string("scope"), jv_string("api"));
}

/* Splits "Basic base64(id:secret)" into the two form fields when they are absent. */
static jv
basic_client(jv f, const char *basic)
{
	if (!basic || strncasecmp(basic, "Basic ", 6))
		return f;
	unsigned char buf[512];
	size_t n = b64url_decode(basic + 6, buf, sizeof buf - 1);
	if (n == (size_t)-1)
		return f;
	buf[n] = '\0';
	char *colon = strchr((char *)buf, ':');
	if (!colon)
		return f;
	*colon = '\0';
	if (!jx_str(f, "client_id"))
		f = jv_object_set(f, jv_string("client_id"), jv_string((char *)buf));
	if (!jx_str(f, "client_secret"))
		f = jv_object_set(f, jv_string("client_secret"), jv_string(colon + 1));
	return f;
}

static int
user_exists(const char *username)
{
	jv users = store_scan(schema_obj("User"), 0);
	int found = 0;
	for (int i = 0; i < jx_len(users) && !found; i++)
		found = jx_str(jx_at(users, i), "Username") &&
		    !strcasecmp(jx_str(jx_at(users, i), "Username"), username) &&
		    jx_bool(jx_at(users, i), "IsActive", 1);
	jv_free(users);
	return found;
}

static double
claim_num(jv claims, const char *k)
{
	jv v = jv_object_get(jv_copy(claims), jv_string(k));
	double d = -1;
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		d = jv_number_value(v);
	else if (jv_get_kind(v) == JV_KIND_STRING) {
		char *end;
		d = strtod(jv_string_value(v), &end);
		if (*end || !*jv_string_value(v))
			d = -1;
	}
	jv_free(v);
	return d;
}

static jv
jwt_grant(jv f, const char *base_url, int *status)
{
	const char *a = jx_str(f, "assertion");
	if (!a || !*a)
		return oauth_error(status, "invalid_request", "assertion is missing");
	const char *d1 = strchr(a, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d2 || strchr(d2 + 1, '.'))
		return oauth_error(status, "invalid_grant", "invalid assertion");
	unsigned char hbuf[1024], cbuf[4096], sig[1024];
	char *h64 = xstrndup(a, (size_t)(d1 - a)), *c64 = xstrndup(d1 + 1, (size_t)(d2 - d1 - 1));
	size_t hn = b64url_decode(h64, hbuf, sizeof hbuf - 1), cn = b64url_decode(c64, cbuf, sizeof cbuf - 1);
	size_t sn = b64url_decode(d2 + 1, sig, sizeof sig);
	free(h64);
	free(c64);
	if (hn == (size_t)-1 || cn == (size_t)-1 || sn == (size_t)-1)
		return oauth_error(status, "invalid_grant", "invalid assertion");
	hbuf[hn] = cbuf[cn] = '\0';
	jv hdr = jv_parse((char *)hbuf), claims = jv_parse((char *)cbuf);
	jv out = jv_invalid();
	const char *alg = jx_str(hdr, "alg");
	time_t now = time(NULL);
	double exp = claim_num(claims, "exp");
	const char *iss = jx_str(claims, "iss"), *sub = jx_str(claims, "sub"), *aud = jx_str(claims, "aud");
	if (jv_get_kind(hdr) != JV_KIND_OBJECT || jv_get_kind(claims) != JV_KIND_OBJECT || !alg || strcmp(alg, "RS256"))
		out = oauth_error(status, "invalid_grant", "invalid assertion");
	else if (!iss || !*iss)
		out = oauth_error(status, "invalid_client_id", "client identifier invalid");
	else if (!aud ||
	    (strcmp(aud, "https://login.salesforce.com") && strcmp(aud, "https://test.salesforce.com") &&
		strcmp(aud, base_url)))
		out = oauth_error(status, "invalid_grant", "audience is invalid");
	else if (exp < 0 || exp <= (double)now || exp > (double)now + 180 + 5)
		/* Also catches milliseconds: such an exp lies centuries ahead. */
		out = oauth_error(status, "invalid_grant", "expired authorization code");
	else if (!sub || !user_exists(sub))
		out = oauth_error(status, "invalid_grant", "user hasn't approved this consumer");
	else if (jwt_key) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, jwt_key) == 1 &&
		    EVP_DigestVerify(ctx, sig, sn, (const unsigned char *)a, (size_t)(d2 - a)) == 1;
		EVP_MD_CTX_free(ctx);
		if (!ok)
			out = oauth_error(status, "invalid_grant", "invalid assertion");
	}
	if (!jv_is_valid(out)) {
		*status = 200;
		out = grant(base_url, NULL, 0);
	}
	jv_free(hdr);
	jv_free(claims);
	return out;
}

jv
auth_token(const char *form, const char *basic, const char *base_url, int generic_host, int *status)
{
	jv f = basic_client(form_parse(form), basic);
	const char *gt = jx_str(f, "grant_type");
	const char *cid = jx_str(f, "client_id"), *secret = jx_str(f, "client_secret");
	jv out;
	*status = 200;
	if (!gt || !*gt)
		out = oauth_error(status, "invalid_request", "grant type is missing");
	else if (!strcmp(gt, "password")) {
		const char *u = jx_str(f, "username"), *pw = jx_str(f, "password");
		if (!cid || !*cid)
			out = oauth_error(status, "invalid_client_id", "client identifier invalid");
		else if (sw.profile == PROFILE_ENTERPRISE)
			/* The username-password flow is blocked (the default in orgs made since
			 * Summer '23), and the answer is the one a wrong password gets. */
			out = oauth_error(status, "invalid_grant", "authentication failure");
		else if (!u || strcasecmp(u, SANDBOX_USERNAME) || !pw ||
		    (strcmp(pw, SANDBOX_PASSWORD) && strcmp(pw, SANDBOX_PASSWORD SANDBOX_SECURITY_TOKEN)))
			out = oauth_error(status, "invalid_grant", "authentication failure");
		else
			out = grant(base_url, secret, 1);
	} else if (!strcmp(gt, "client_credentials")) {
		if (!cid || !*cid || !secret || !*secret)
			out = oauth_error(status, "invalid_client", "invalid client credentials");
		else if (generic_host && sw.profile == PROFILE_ENTERPRISE)
			/* The flow runs on the org's My Domain only, never on the login hosts. */
			out = oauth_error(status, "invalid_request", "request not supported on this domain");
		else
			out = grant(base_url, secret, 0);
	} else if (!strcmp(gt, "refresh_token")) {
		const char *rt = jx_str(f, "refresh_token");
		if (!cid || !*cid)
			out = oauth_error(status, "invalid_client_id", "client identifier invalid");
		else if (!rt || strcmp(rt, SANDBOX_REFRESH_TOKEN))
			out = oauth_error(status, "invalid_grant", "expired access/refresh token");
		else
			out = grant(base_url, secret, 1);
	} else if (!strcmp(gt, "urn:ietf:params:oauth:grant-type:jwt-bearer"))
		out = jwt_grant(f, base_url, status);
	else
		out = oauth_error(status, "unsupported_grant_type", "grant type not supported");
	jv_free(f);
	return out;
}

/* The token of an Authorization header ("Bearer T" or "OAuth T"), or NULL. */
static const char *
bearer(const char *authz)
{
	if (!authz)
		return NULL;
	if (!strncasecmp(authz, "Bearer ", 7))
		return authz + 7;
	if (!strncasecmp(authz, "OAuth ", 6))
		return authz + 6;
	return NULL;
}

int
auth_known(const char *authz)
{
	const char *t = bearer(authz);
	if (!t)
		return -1;
	for (int i = nsessions - 1; i >= 0; i--)
		if (!strcmp(sessions[i].token, t))
			return 0;
	return -1;
}

int
auth_check(const char *authz)
{
	const char *t = bearer(authz);
	if (!t)
		return -1;
	for (int i = nsessions - 1; i >= 0; i--) {
		struct session *s = &sessions[i];
		if (strcmp(s->token, t))
			continue;
		if (s->expired || (expire_after > 0 && s->calls >= expire_after)) {
			s->expired = 1;
			return -1;
		}
		s->calls++;
		return 0;
	}
	return -1;
}

/* GET or POST /services/oauth2/userinfo: who the session's user is, in the OpenID
 * Connect shape Salesforce answers with (every `sf org login` flow asks it). */
jv
auth_userinfo(const char *authz, const char *base_url, int *status)
{
	if (auth_known(authz) < 0) {
		*status = 403;
		return jv_string("Bad_OAuth_Token");
	}
	jv u = org_user_id ? store_get(org_user_id, NULL) : jv_invalid();
	const char *uid = jx_str(u, "Id") ? jx_str(u, "Id") : "", *oid = org_id ? org_id : "";
	jv o = jv_object();
	o = jv_object_set(o, jv_string("sub"), jv_string_fmt("%s/id/%s/%s", base_url, oid, uid));
	o = jx_set_str(o, "user_id", uid);
	o = jx_set_str(o, "organization_id", oid);
	o = jx_set_str(o, "preferred_username", jx_str(u, "Username"));
	o = jx_set_str(o, "nickname", jx_str(u, "FirstName"));
	o = jx_set_str(o, "name", jx_str(u, "Name"));
	o = jx_set_str(o, "email", jx_str(u, "Email"));
	o = jv_object_set(o, jv_string("email_verified"), jv_true());
	o = jx_set_str(o, "given_name", jx_str(u, "FirstName"));
	o = jx_set_str(o, "family_name", jx_str(u, "LastName"));
	o = jx_set_str(o, "zoneinfo", jx_str(u, "TimeZoneSidKey"));
	o = jv_object_set(o, jv_string("active"), jv_true());
	o = jx_set_str(o, "user_type", "STANDARD");
	o = jx_set_str(o, "language", "en_US");
	o = jx_set_str(o, "locale", "en_US");
	jv urls = jv_object();
	urls = jv_object_set(urls, jv_string("rest"), jv_string_fmt("%s/services/data/v{version}/", base_url));
	urls = jv_object_set(
	    urls, jv_string("sobjects"), jv_string_fmt("%s/services/data/v{version}/sobjects/", base_url));
	urls = jv_object_set(urls, jv_string("query"), jv_string_fmt("%s/services/data/v{version}/query/", base_url));
	urls = jv_object_set(urls, jv_string("profile"), jv_string_fmt("%s/%s", base_url, uid));
	o = jv_object_set(o, jv_string("urls"), urls);
	jv_free(u);
	*status = 200;
	return o;
}
