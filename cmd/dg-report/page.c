/* page.c: the page around the deals: head with its style, the overview table (sorted
 * and filtered by a small inline script) and the calendars. Self-contained: no file, font, image or script is
 * fetched, and the page's Content-Security-Policy allows only its own script (by hash),
 * so even a string that escaped escaping could not run or load anything. */
#include "jsonl.h"
#include "report.h"
#include "tz.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 24px 48px;color:#1c2430;"
    "background:#fbfbfd}h1{margin:20px 0 4px;font-size:22px}h2{font-size:18px;margin:0 0 4px}h3{font-size:15px;"
    "margin:14px 0 4px}nav a{margin-right:14px}.meta,.facts{color:#556;margin:4px 0}.err{color:#b3261e;font-weight:"
    "600}.ok{color:#2e7d32}table{border-collapse:collapse;margin:6px 0 10px}th,td{padding:3px 8px;text-align:"
    "left;vertical-align:top;border-bottom:1px solid #e3e6ec}#deals-table th{cursor:pointer;user-select:none;"
    "background:#eef1f6;position:sticky;top:0}#deals-table th[aria-sort=ascending]::after{content:' \\25B2'}"
    "#deals-table th[aria-sort=descending]::after{content:' \\25BC'}td.n{text-align:right;font-variant-numeric:"
    "tabular-nums}td.n,td.d{white-space:nowrap}#filter{font:inherit;padding:4px 8px;width:320px;margin:8px 0}section.deal{background:#fff;"
    "border:1px solid #dde2ea;border-radius:8px;padding:14px 18px;margin:18px 0;"
    "content-visibility:auto;contain-intrinsic-size:auto 900px}.owner{content-visibility:auto;contain-intrinsic-size:"
    "auto 600px}.swatch{display:inline-block;"
    "width:12px;height:12px;border-radius:3px;margin-right:8px}.tag{font-size:11px;background:#eef1f6;border-radius:"
    "8px;padding:1px 6px}.tag.new{background:#e3f2e6}.tag.chg{background:#fff3e0}svg.timeline{width:100%;max-width:960px;height:auto;display:"
    "block;margin:8px 0}svg text{font:11px system-ui,sans-serif;fill:#556}line.lane{stroke:#eef0f4}line.axis{stroke:"
    "#99a}line.month{stroke:#dde}line.week{stroke:#bbc}line.today{stroke:#d32f2f;stroke-width:2}text.today{fill:"
    "#d32f2f}line.close{stroke:#6a1b9a;stroke-dasharray:4 3}text.close{fill:#6a1b9a}.item rect,.item circle{fill:"
    "#1565c0;stroke:#0d47a1;stroke-width:1.5}.item.email circle{fill:#00897b;stroke:#00695c}.item.internal rect{"
    "fill:#90a4ae;stroke:#607d8b}.item.upcoming rect,.item.upcoming circle{fill:#fff;stroke-dasharray:3 2}"
    ".item.failed rect,.item.failed circle{fill:#d32f2f;stroke:#b71c1c}.item:hover rect,.item:hover circle{"
    "stroke-width:3}details.act{border-left:3px solid #1565c0;margin:4px 0;padding:2px 8px;background:#fafbfd}"
    "details.act.upcoming{border-left-style:dashed}details.act.failed{border-left-color:#d32f2f;background:#fff4f4}"
    "details.act:target{outline:2px solid #f9a825}summary{cursor:pointer}.when{color:#445;font-variant-numeric:"
    "tabular-nums}.kind{font-size:11px;border-radius:8px;padding:1px 6px;background:#e3ecfa}.kind.k-e{background:"
    "#e0f2f1}.kind.in{background:#fff3e0}.kind.k-i{background:#eceff1}.subj{font-weight:600}.who{color:#556}"
    "pre.body{white-space:pre-wrap;font:13px/1.5 ui-monospace,monospace;background:#fff;border:1px solid #e3e6ec;"
    "padding:8px 10px;max-width:860px}.dot{display:inline-block;width:10px;height:10px;border-radius:50%;"
    "margin-right:6px;background:#bbb}.dot.red{background:#d32f2f}.dot.amber{background:#f9a825}.dot.green{"
    "background:#2e7d32}table.score td:nth-child(4){max-width:560px}a.ev{white-space:nowrap}.owner{margin:12px 0 22px}"
    "table.cal{table-layout:fixed;width:100%;max-width:1280px}table.cal td{height:44px;border:1px solid #e3e6ec;"
    "font-size:12px;overflow:hidden}table.cal td.b1{background:#f3f7fd}table.cal td.b2{background:#e3edfb}"
    "table.cal td.b3{background:#c9dbf7}table.cal .day{display:block;color:#778;font-size:11px}table.cal .day.today{"
    "color:#d32f2f;font-weight:700}table.cal a.m{display:block;border-left:4px solid;padding-left:4px;margin:1px 0;"
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis;color:#1c2430;text-decoration:none}table.cal a.m.up{"
    "opacity:.7;font-style:italic}table.cal a.m.int{color:#607d8b}table.cal a.m.clash{background:#ffebee;outline:"
    "1px solid #d32f2f}table.cal .mail{color:#00695c}tr.quiet td{color:#99a;font-size:11px;height:auto;text-align:"
    "center}[hidden]{display:none!important}\n";

/* Sorting by a column (numbers by data-v), filtering rows and their deals by text,
 * and opening the entry a link points at. Reads nothing from the data but the DOM. */
static const char script[] =
    "(function(){'use strict';\n"
    "function open(){var id=location.hash.slice(1);if(!id)return;var e=document.getElementById(id);\n"
    "if(e&&e.tagName==='DETAILS')e.open=true;}\n"
    "window.addEventListener('hashchange',open);open();\n"
    "var t=document.getElementById('deals-table');if(!t)return;\n"
    "var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows),heads=t.tHead.rows[0].cells;\n"
    "function key(c,num){var v=c.getAttribute('data-v');if(v===null)v=c.textContent;\n"
    "if(!num)return v.toLowerCase();v=parseFloat(v);return isNaN(v)?-1e300:v;}\n"
    "Array.prototype.forEach.call(heads,function(th,col){th.addEventListener('click',function(){\n"
    "var dir=th.getAttribute('aria-sort')==='ascending'?-1:1,num=th.hasAttribute('data-num');\n"
    "Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});\n"
    "th.setAttribute('aria-sort',dir>0?'ascending':'descending');\n"
    "rows.sort(function(a,b){var x=key(a.cells[col],num),y=key(b.cells[col],num);\n"
    "return x<y?-dir:x>y?dir:a.rowIndex-b.rowIndex;});\n"
    "rows.forEach(function(r){body.appendChild(r);});});});\n"
    "var f=document.getElementById('filter'),shown=document.getElementById('shown');\n"
    "f.addEventListener('input',function(){var q=f.value.toLowerCase(),n=0;\n"
    "rows.forEach(function(r){var on=r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!on;n+=on?1:0;\n"
    "var s=document.getElementById(r.getAttribute('data-deal'));if(s)s.hidden=!on;});\n"
    "shown.textContent=String(n);});})();\n";

/* The CSP source of the script: 'sha256-<base64 of its SHA-256>'. */
static void
script_hash(char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * EVP_MAX_MD_SIZE / 3 + 8];
	unsigned int n = 0;

	EVP_Digest(script, sizeof script - 1, md, &n, EVP_sha256(), NULL);
	EVP_EncodeBlock(b64, md, (int)n);
	snprintf(out, size, "'sha256-%s'", (const char *)b64);
}

static void
overview(struct report *r, struct sb *b)
{
	sb_addf(b,
	    "<section id=\"overview\"><h2>Deals</h2><input id=\"filter\" type=\"search\" placeholder=\"filter: "
	    "name, account, stage, owner…\" aria-label=\"filter deals\"> <span class=\"meta\"><span id=\"shown\">%zu"
	    "</span> of %zu shown; click a column to sort</span>",
	    r->ndeals, r->ndeals);
	sb_add(b,
	    "<table id=\"deals-table\"><thead><tr><th>Deal</th><th>Account</th><th>Stage</th><th data-num>Amount</th>"
	    "<th>Close</th><th>Owner</th><th data-num>Meetings</th><th data-num>Emails</th><th data-num>Contacts</th>"
	    "<th data-num>Score</th><th data-num>Coverage</th><th data-num>Failed</th></tr></thead><tbody>");
	for (size_t i = 0; i < r->ndeals; i++) {
		const struct rp_deal *d = &r->deals[i];
		sb_addf(b, "<tr data-deal=\"d%zu\"><td><a href=\"#d%zu\">", i, i);
		html_esc(b, d->name);
		sb_add(b, "</a></td><td>");
		html_esc(b, d->account);
		sb_add(b, "</td><td>");
		html_esc(b, d->stage);
		sb_addf(b, "</td><td class=\"n\" data-v=\"%.2f\">%s</td><td class=\"d\">", d->amount_v, d->amount);
		html_esc(b, d->close);
		sb_add(b, "</td><td>");
		html_esc(b, d->owner);
		sb_addf(b, "</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\" data-v=\"%d\">%d",
		    d->meetings, d->emails, d->contacts, d->contacts);
		if (d->planned_contacts)
			sb_addf(b, " (%d new)", d->planned_contacts);
		if (d->score >= 0)
			sb_addf(b, "</td><td class=\"n\">%d</td><td class=\"n\" data-v=\"%.2f\">%.0f%%", d->score,
			    d->coverage, d->coverage * 100);
		else
			sb_add(b, "</td><td class=\"n\" data-v=\"-1\">–</td><td class=\"n\" data-v=\"-1\">–");
		sb_addf(b, "</td><td class=\"n%s\">%d</td></tr>", d->failed ? " err" : "", d->failed);
	}
	sb_add(b, "</tbody></table></section>\n");
}

static void
header(struct report *r, struct sb *b)
{
	static const char *const level[] = { "deals as chosen (dg-query)", "planned (dg-plan)", "written (dg-content)",
		"scored (dg-score)", "pushed or marked (dg-push, dg-state)" };
	long meetings = 0, emails = 0;
	char day[16];

	for (size_t i = 0; i < r->ndeals; i++) {
		meetings += r->deals[i].meetings;
		emails += r->deals[i].emails;
	}
	sb_add(b, "<header><h1>");
	html_esc(b, r->title);
	sb_addf(b, "</h1><p class=\"meta\">%zu deal%s · %ld meetings · %ld emails · %s", r->ndeals,
	    r->ndeals == 1 ? "" : "s", meetings, emails, level[r->level]);
	if (r->have_now || r->seen_now)
		sb_addf(b, " · today is %s", time_date(r->have_now ? r->now : r->seen_now, day));
	if (r->level == LV_PUSHED)
		sb_addf(b, " · %ld records in the org · <span class=\"%s\">%ld failed</span>", r->written,
		    r->failed ? "err" : "ok", r->failed);
	if (r->instance) {
		sb_add(b, " · org <a class=\"org\" target=\"_blank\" rel=\"noopener noreferrer\" href=\"");
		html_esc(b, r->instance);
		sb_add(b, "\">");
		html_esc(b, r->instance);
		sb_add(b, "</a>");
	}
	if (jsonl_upstream_failed())
		sb_add(b,
		    "</p><p class=\"err\">an earlier stage failed: these are the records it wrote before it stopped");
	sb_add(b,
	    "</p><nav><a href=\"#overview\">Deals</a><a href=\"#calendars\">Calendars</a>"
	    "<a href=\"#details\">Each deal</a></nav></header>\n");
}

int
report_page(struct report *r, FILE *f)
{
	struct sb b = { 0 };
	char hash[128];

	script_hash(hash, sizeof hash);
	sb_add(&b,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src data:; script-src ");
	sb_add(&b, hash);
	sb_add(&b, "\"><meta name=\"generator\" content=\"dg-report\"><title>");
	html_esc(&b, r->title);
	sb_add(&b, "</title><style>");
	sb_add(&b, style);
	sb_add(&b, "</style></head><body>\n");
	header(r, &b);
	overview(r, &b);
	sb_add(&b,
	    "<section id=\"calendars\"><h2>Calendars</h2><p class=\"meta\">each owner's meetings across their deals, "
	    "by day in the owner's time zone; overlapping meetings are outlined red, busier days darker</p>");
	report_calendars(r, &b);
	sb_add(&b,
	    "</section>\n<section id=\"details\"><h2>Each deal</h2><p class=\"meta\">the timeline: meetings "
	    "(squares), emails (circles); upcoming ones hollow, refused ones red; click one for its text</p>\n");
	fwrite(b.s, 1, b.len, f);
	fwrite(r->sections.s ? r->sections.s : "", 1, r->sections.len, f);
	sb_reset(&b);
	sb_add(&b, "</section>\n<script>");
	sb_add(&b, script);
	sb_add(&b, "</script></body></html>\n");
	fwrite(b.s, 1, b.len, f);
	sb_free(&b);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
