/* test_sf.c: the Salesforce client's pure parts: the JWT audience of a login URL, the
 * org's task picklists from query answers. */
#include "sf.h"
#include "tap.h"

#include <jv.h>

static void
audience(const char *url, const char *want)
{
	is_str(sf_jwt_audience(url), want, "%s -> %s", url, want);
}

int
main(void)
{
	audience("https://login.salesforce.com", "https://login.salesforce.com");
	audience("https://test.salesforce.com", "https://test.salesforce.com");
	audience("https://TEST.salesforce.com/", "https://test.salesforce.com");
	audience("https://acme--uat.sandbox.my.salesforce.com", "https://test.salesforce.com");
	audience("https://acme--uat.sandbox.my.salesforce.com:443/services", "https://test.salesforce.com");
	audience("https://acme--uat.my.salesforce.com", "https://test.salesforce.com");
	audience("https://acme.my.salesforce.com", "https://login.salesforce.com");
	audience("http://127.0.0.1:8080", "https://login.salesforce.com");

	struct sf_task_picks p;
	jv st = jv_parse("{\"records\":[{\"ApiName\":\"Open\",\"IsClosed\":false,\"IsDefault\":true},"
			 "{\"ApiName\":\"Done\",\"IsClosed\":true,\"IsDefault\":false},"
			 "{\"ApiName\":\"Cancelled\",\"IsClosed\":true,\"IsDefault\":false}]}");
	jv pr = jv_parse(
	    "{\"records\":[{\"ApiName\":\"High\",\"IsDefault\":false},{\"MasterLabel\":\"Medium\",\"IsDefault\":true}]}");
	sf_task_picks(st, pr, &p);
	is_str(p.closed, "Done", "the first closed status");
	is_str(p.open, "Open", "the default open status");
	is_str(p.priority, "Medium", "the default priority, by its label when it has no ApiName");
	jv_free(st);
	jv_free(pr);
	sf_task_picks(jv_invalid(), jv_invalid(), &p);
	is_str(p.closed, "Completed", "no answer: a new org's closed status");
	is_str(p.open, "Not Started", "no answer: a new org's default status");
	is_str(p.priority, "Normal", "no answer: a new org's default priority");
	return tap_done();
}
