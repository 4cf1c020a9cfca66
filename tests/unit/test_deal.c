/* test_deal: money formatting, account domains, stage phases, reading people. */
#include "config.h"
#include "deal.h"
#include "jsonl.h"
#include "tap.h"

int
main(void)
{
	char buf[128];
	struct person p[8];
	jv rec;
	int n;

	is_str(money_fmt(950, buf, sizeof buf), "$950", "small amounts in dollars");
	is_str(money_fmt(120000, buf, sizeof buf), "$120K", "thousands as K");
	is_str(money_fmt(1000000, buf, sizeof buf), "$1M", "a round million");
	is_str(money_fmt(2500000, buf, sizeof buf), "$2.5M", "millions with one decimal");
	is_str(money_fmt(9.8e10, buf, sizeof buf), "$98B", "huge amounts stay short");
	is_str(money_fmt(-5, buf, sizeof buf), "$0", "negative amounts are zero");
	{
		static char *dv[] = { "Globex=globex.example", "001000000000042=initech.example" };
		struct strlist doms = { dv, 2 };
		const char *em[] = { "a@acme.com", "b@gmail.com", "c@acme.com", NULL };
		is_str(account_domain("https://www.Acme.com/about", NULL, NULL, NULL, NULL, 0, buf, sizeof buf),
		    "acme.com", "domain from a website");
		is_str(account_domain("acme.co.uk:8080", NULL, NULL, NULL, NULL, 0, buf, sizeof buf), "acme.co.uk",
		    "domain without scheme, port dropped");
		is_str(account_domain(NULL, "globex", NULL, &doms, NULL, 0, buf, sizeof buf), "globex.example",
		    "no website: the configuration's domain, by name");
		is_str(account_domain("", "X", "001000000000042AAQ", &doms, NULL, 0, buf, sizeof buf),
		    "initech.example", "or by Id, either form");
		is_str(account_domain(NULL, "Acme", NULL, &doms, em, 4, buf, sizeof buf), "acme.com",
		    "else the domain most of its people's addresses are on");
		ok(account_domain("not a url", "Zoë Co", NULL, &doms, NULL, 0, buf, sizeof buf) == NULL,
		    "else none: never one made up from the name");
	}
	ok(stage_phase("Prospecting") == 0 && stage_phase("Needs Analysis") == 1 &&
		stage_phase("Id. Decision Makers") == 2 && stage_phase("Perception Analysis") == 3 &&
		stage_phase("Proposal/Price Quote") == 4 && stage_phase("Negotiation/Review") == 5 &&
		stage_phase("Closed Won") == 6,
	    "default Salesforce stages map to phases in order");
	ok(stage_phase(NULL) == 2 && stage_phase("Custom Stage") == 2, "unknown stages sit midway");
	ok(topic_find("economic_buyer") == T_ECONOMIC_BUYER && topic_find("nope") == -1, "topic names");
	rec = jv_parse("{\"contacts\":[{\"Id\":\"003A\",\"FirstName\":\"Dana\",\"LastName\":\"Lee\"},"
		       "{\"Name\":\"No Id\"},7,{\"key\":\"k1\",\"Name\":\"Sam O'Neil\"},{\"Id\":3}]}");
	n = deal_people(rec, p, 8);
	ok(n == 2, "people without Id or key, and non-objects, are left out (got %d)", n);
	is_str(p[0].name, "Dana Lee", "a name is built from first and last");
	is_str(p[1].first, "Sam", "a first name is taken from the name");
	ok(deal_person(p, n, "k1") == &p[1] && deal_person(p, n, "zz") == NULL, "find by ref");
	jv_free(rec);
	rec = jv_parse("{\"contacts\":{\"not\":\"an array\"}}");
	ok(deal_people(rec, p, 8) == 0, "contacts of the wrong kind are no people");
	jv_free(rec);
	return tap_done();
}
