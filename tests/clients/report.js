// report.js: opens a dg-report page in a real browser (Debian's chromium, driven by
// playwright-core) and prints what a person would find, as one JSON object, for
// tests/dg-report.bats to judge: the deals and their timeline drawings, the subjects
// on screen, clicking a timeline item, sorting and filtering the overview, script
// errors in the console, and whether anything from the data became markup.
// usage: node report.js PAGE.html SCREENSHOT.png
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

(async () => {
	const [page_file, shot] = process.argv.slice(2);
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu'],
	});
	const out = { console_errors: [], page_errors: [], requests: [] };
	try {
		const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
		page.setDefaultTimeout(120000); // a page of 1,000 deals (bench/report) takes a while to lay out
		page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') out.console_errors.push(m.text()); });
		page.on('pageerror', (e) => out.page_errors.push(String(e)));
		// Anything the page asks for besides itself is a failure of "self-contained".
		page.on('request', (r) => { if (!r.url().startsWith('file://')) out.requests.push(r.url()); });
		const t0 = Date.now();
		await page.goto('file://' + path.resolve(page_file), { waitUntil: 'load' });
		out.load_ms = Date.now() - t0;

		Object.assign(out, await page.evaluate(() => {
			const deals = [...document.querySelectorAll('section.deal')];
			const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
			return {
				deals: deals.length,
				rows: document.querySelectorAll('#deals-table tbody tr').length,
				timelines: deals.filter((d) => d.querySelector('svg.timeline')).length,
				items_min: Math.min(...deals.map((d) => d.querySelectorAll('svg.timeline a.item').length)),
				subjects: document.querySelectorAll('details.act .subj').length,
				subjects_visible: [...document.querySelectorAll('details.act .subj')].filter(visible).length,
				subject_texts: [...document.querySelectorAll('details.act .subj')].slice(0, 400).map((e) => e.textContent),
				deal_names: deals.map((d) => d.querySelector('h2').textContent),
				accounts: deals.map((d) => d.querySelector('.acct').textContent),
				calendars: document.querySelectorAll('#calendars .owner').length,
				clashes: document.querySelectorAll('#calendars a.m.clash').length,
				scorecards: document.querySelectorAll('table.score').length,
				evidence_links: document.querySelectorAll('a.ev').length,
				evidence_dangling: [...document.querySelectorAll('a.ev')].filter((a) => !document.getElementById(a.getAttribute('href').slice(1))).length,
				org_links: [...document.querySelectorAll('a.org')].map((a) => a.getAttribute('href')).slice(0, 50),
				failures: [...document.querySelectorAll('.err')].map((e) => e.textContent).slice(0, 20),
				scripts: document.scripts.length,
				onerror: document.querySelectorAll('[onerror]').length,
				images: document.images.length,
				pwned: document.body.dataset.pwned || window.__pwned || null,
			};
		}));

		// Click the last deal's first timeline item: its entry opens, its text shows.
		const last = page.locator('section.deal').last();
		const item = last.locator('svg.timeline a.item').first();
		if (await item.count()) {
			const href = await item.getAttribute('href');
			await item.click();
			await page.waitForTimeout(100);
			out.clicked = await page.evaluate((id) => {
				const d = document.getElementById(id);
				const body = d && d.querySelector('pre.body');
				return { open: !!(d && d.open), hash: location.hash, body_visible: !!(body && body.getBoundingClientRect().height > 0) };
			}, href.slice(1));
		}

		// Sort by amount, both ways.
		const amounts = () => page.$$eval('#deals-table tbody tr', (rs) => rs.map((r) => parseFloat(r.cells[3].getAttribute('data-v'))));
		await page.click('#deals-table th:nth-child(4)');
		const up = await amounts();
		await page.click('#deals-table th:nth-child(4)');
		const down = await amounts();
		const sorted = (a, s) => a.every((v, i) => i === 0 || s * (v - a[i - 1]) >= 0);
		out.sorted = sorted(up, 1) && sorted(down, -1);

		// Filter by the first deal's name: its row and section stay, the others hide.
		const first = out.deal_names[0] || '';
		await page.fill('#filter', first.trim().toLowerCase());
		out.filtered = await page.evaluate(() => ({
			rows: [...document.querySelectorAll('#deals-table tbody tr')].filter((r) => !r.hidden).length,
			sections: [...document.querySelectorAll('section.deal')].filter((s) => !s.hidden).length,
			shown: document.getElementById('shown').textContent,
		}));
		await page.fill('#filter', '');

		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: shot, fullPage: false });
		// The last deal as a person sees it scrolled to, as far as the window shows it (an
		// element screenshot waits for the element to be "stable", which content-visibility
		// keeps it from being on a long page).
		await last.scrollIntoViewIfNeeded();
		await page.waitForTimeout(100);
		const box = await last.boundingBox(), vh = page.viewportSize().height;
		const y = Math.max(0, box.y);
		await page.screenshot({ path: shot.replace(/\.png$/, '-deal.png'),
			clip: { x: box.x, y, width: box.width, height: Math.max(1, Math.min(box.height, vh - y)) } });
	} finally {
		await browser.close();
	}
	process.stdout.write(JSON.stringify(out) + '\n');
})().catch((e) => { console.error('report.js: ' + e.message); process.exit(1); });
