// fuzz-proxy.js: a mutating HTTP proxy on 127.0.0.1 for dg's fuzz tests. It forwards
// every request to the upstream named as its first argument (dg-sandbox, fake-llm.js)
// and spoils one of the answers: requests come as /m/SEED/PATH, and for a given SEED the
// answer to request number SEED % SPAN (the second argument, default 4) of that seed (counted from 0) is mutated with a
// generator seeded by SEED (a value in the JSON deleted or replaced by another kind, a
// list emptied, the body cut short or replaced by HTML, a model's JSON content spoiled
// the same way). An OAuth answer's instance_url is pointed back at the proxy under the
// same seed, so that a whole session goes through it. It prints its base URL, then
// serves until killed; GET /_log/SEED says what was done to that seed's answers.
// Seed 0 spoils nothing at random; POST /_canned with [{"match": REGEX, "body": TEXT,
// "ctype"}] instead answers each request whose path matches with that body (status 200).
// With PROXY_TLS_KEY and PROXY_TLS_CERT it serves https; PROXY_INSTANCE replaces the
// instance_url of OAuth answers (to play an org that sends its client elsewhere).
'use strict';
const http = require('http');
const https = require('https');
const fs = require('fs');

const upstream = new URL(process.argv[2]);
const span = Number(process.argv[3] || 4);
const counts = new Map();
const logs = new Map();
let canned = [];

function rng(seed) {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

// Every place in v as [parent, key] pairs (the root as [null, null]).
function places(v, parent, key, out) {
  out.push([parent, key]);
  if (Array.isArray(v)) v.forEach((x, i) => places(x, v, i, out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) places(v[k], v, k, out);
  return out;
}

const swaps = [null, 'x', '', 1e300, -1, 0, 1.5, true, [], {}, ['x'], [{}], [null], { x: 1 }, '2026-13-45', '006'];

// Mutates the value of a parsed JSON document; returns [newRoot, description].
function mutate(root, r) {
  let all = places(root, null, null, []);
  // Half the time a list or an object: where a wrong shape hurts most.
  const boxes = all.filter(([p, k]) => { const v = p === null ? root : p[k]; return v && typeof v === 'object'; });
  if (boxes.length && r() < 0.5) all = boxes;
  const [parent, key] = all[Math.floor(r() * all.length)];
  const old = parent === null ? root : parent[key];
  const op = Math.floor(r() * 5);
  let nv, what;
  if (op === 0 && parent !== null) {
    if (Array.isArray(parent)) parent.splice(key, 1); else delete parent[key];
    return [root, `deleted ${key}`];
  } else if (op === 1 && Array.isArray(old)) {
    nv = old.length ? [old[0], old[0]] : [[]]; what = 'a list doubled or nested';
  } else if (op === 2) {
    nv = [old]; what = 'wrapped in a list';
  } else if (op === 3 && old && typeof old === 'object') {
    nv = Array.isArray(old) ? {} : []; what = 'list and object swapped';
  } else {
    nv = swaps[Math.floor(r() * swaps.length)]; what = `replaced by ${JSON.stringify(nv)}`;
  }
  if (parent === null) return [nv, `root ${what}`];
  parent[key] = nv;
  return [root, `${key} ${what}`];
}

function spoil(body, ctype, r) {
  const pick = r();
  if (pick < 0.06) return [body.slice(0, Math.floor(r() * body.length)), ctype, 'cut short'];
  if (pick < 0.09) return ['<html><body>Service Unavailable</body></html>', 'text/html', 'an HTML page'];
  if (pick < 0.11) return ['', ctype, 'empty'];
  let doc;
  try { doc = JSON.parse(body); } catch (e) { return [body.slice(0, body.length >> 1), ctype, 'cut in half']; }
  // A model's answer: spoil the JSON inside the message as often as the envelope.
  const msg = doc && doc.choices && doc.choices[0] && doc.choices[0].message;
  if (msg && typeof msg.content === 'string' && r() < 0.6) {
    try {
      const [inner, what] = mutate(JSON.parse(msg.content), r);
      msg.content = JSON.stringify(inner);
      return [JSON.stringify(doc), ctype, 'content: ' + what];
    } catch (e) { /* not JSON: spoil the envelope */ }
  }
  const [nd, what] = mutate(doc, r);
  return [JSON.stringify(nd), ctype, what];
}

const tls = process.env.PROXY_TLS_KEY ? { key: fs.readFileSync(process.env.PROXY_TLS_KEY), cert: fs.readFileSync(process.env.PROXY_TLS_CERT) } : null;
const handler = (req, res) => {
  const m = req.url.match(/^\/m\/(\d+)(\/.*)$/);
  if (req.url === '/_canned' && req.method === 'POST') {
    const got = [];
    req.on('data', c => got.push(c));
    return req.on('end', () => { canned = JSON.parse(Buffer.concat(got).toString('utf8')); res.writeHead(204); res.end(); });
  }
  if (!m) {
    const l = req.url.match(/^\/_log\/(\d+)$/);
    res.writeHead(l ? 200 : 404, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(l ? logs.get(Number(l[1])) || [] : { error: 'use /m/SEED/PATH' }));
  }
  const seed = Number(m[1]);
  const n = counts.get(seed) || 0;
  counts.set(seed, n + 1);
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const headers = { ...req.headers, host: upstream.host };
    delete headers['accept-encoding'];
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method,
      path: upstream.pathname.replace(/\/$/, '') + m[2], headers }, ur => {
      const got = [];
      ur.on('data', c => got.push(c));
      ur.on('end', () => {
        let body = Buffer.concat(got).toString('utf8');
        let ctype = ur.headers['content-type'] || 'application/json';
        const base = process.env.PROXY_INSTANCE || `${scheme}://127.0.0.1:${server.address().port}/m/${seed}`;
        if (/oauth2\/token/.test(m[2])) {
          try {
            const j = JSON.parse(body);
            if (j.instance_url) j.instance_url = base;
            body = JSON.stringify(j);
          } catch (e) { /* left as it is */ }
        }
        const log = logs.get(seed) || [];
        const c = canned.find(x => new RegExp(x.match).test(decodeURIComponent(m[2].replace(/\+/g, ' '))));
        if (c) {
          body = c.body; ctype = c.ctype || 'application/json';
          log.push(`${req.method} ${m[2].slice(0, 80)}: canned`);
        } else if (seed && n === seed % span) {
          const [b, ct, what] = spoil(body, ctype, rng(seed));
          body = b; ctype = ct;
          log.push(`${req.method} ${m[2].slice(0, 80)}: ${what}`);
        }
        logs.set(seed, log);
        const h = { 'Content-Type': ctype };
        for (const k of ['sforce-limit-info', 'location', 'retry-after'])
          if (ur.headers[k]) h[k] = ur.headers[k];
        res.writeHead(ur.statusCode, h);
        res.end(body);
      });
    });
    up.on('error', e => { res.writeHead(502); res.end(String(e)); });
    up.end(Buffer.concat(chunks));
  });
};
const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
const scheme = tls ? 'https' : 'http';
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${scheme}://127.0.0.1:${server.address().port}\n`);
});
