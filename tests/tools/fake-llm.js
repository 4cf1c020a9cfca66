// fake-llm.js: a small OpenAI-compatible Chat Completions server on 127.0.0.1 for
// dg's tests and benchmarks. It prints its base URL, then answers
//   POST /v1/chat/completions and POST /openai/deployments/NAME/chat/completions
// By default it writes a valid reply built from the request: the JSON the prompt asks
// for, naming the people the prompt says to mention. FAKE_LLM_SCRIPT names a JSON file
// with a list of canned answers used in order first: each {"status", "headers",
// "body" (object or string), "delay_ms", "when": "json_schema" (only for requests
// that use it)}; "default" in the list means: answer normally. FAKE_LLM_DELAY_MS delays
// every answer. GET /_stats gives {"calls": N, "requests": [...last 50 requests...]}.
'use strict';
const http = require('http');
const fs = require('fs');

const delay = Number(process.env.FAKE_LLM_DELAY_MS || 0);
let script = process.env.FAKE_LLM_SCRIPT ? JSON.parse(fs.readFileSync(process.env.FAKE_LLM_SCRIPT, 'utf8')) : [];
let calls = 0;
const log = [];

function reply(req) {
  const msgs = req.messages || [];
  const user = msgs.map(m => m.content).join('\n');
  const mention = (user.match(/^Mention: (.*)$/m) || [, ''])[1].split(',').map(s => s.trim()).filter(Boolean);
  const subject = (user.match(/^Subject: (.*)$/m) || [, 'Follow-up'])[1];
  const wantsScore = /"answers"/.test(JSON.stringify(req.response_format || {})) || /^Scorecard:/m.test(user);
  let content;
  if (wantsScore) {
    const ids = (user.match(/^Elements: (.*)$/m) || [, ''])[1].split(',').map(s => s.trim()).filter(Boolean);
    const keys = (user.match(/^Activity keys: (.*)$/m) || [, ''])[1].split(',').map(s => s.trim()).filter(Boolean);
    const list = ids.map((id, i) => ({ id, answer: `Answer for ${id} from the notes.`,
      score: (i % 3) + 1, confidence: 0.7, evidence: keys.slice(0, 1) }));
    // A schema that asks for answers keyed by element (dg-score's) gets that shape.
    const js = req.response_format && req.response_format.json_schema;
    const keyed = js && js.schema && js.schema.properties && js.schema.properties.answers &&
      js.schema.properties.answers.type === 'object';
    content = JSON.stringify({ answers: keyed ? Object.fromEntries(list.map(({ id, ...rest }) => [id, rest])) : list });
  } else {
    content = JSON.stringify({ subject: `${subject}`, body:
      `Hi ${mention[0] || 'team'},\n\nThanks for the time today. We went through the plan with ${mention.join(' and ')} ` +
      `and agreed on the next steps for the rollout.\n\nBest,\nAlex` });
  }
  return { status: 200, body: { id: 'chatcmpl-fake-' + calls, object: 'chat.completion', created: 1764115200,
    model: req.model || 'fake', system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' }],
    usage: { prompt_tokens: Math.ceil(user.length / 4), completion_tokens: Math.ceil(content.length / 4),
      total_tokens: Math.ceil((user.length + content.length) / 4) } } };
}

const server = http.createServer((rq, rs) => {
  let data = '';
  rq.on('data', c => { data += c; });
  rq.on('end', () => {
    if (rq.method === 'GET' && rq.url === '/_stats') {
      rs.writeHead(200, { 'Content-Type': 'application/json' });
      rs.end(JSON.stringify({ calls, requests: log }));
      return;
    }
    if (rq.method !== 'POST' || !/\/chat\/completions(\?|$)/.test(rq.url)) {
      rs.writeHead(404, { 'Content-Type': 'application/json' });
      rs.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', code: null } }));
      return;
    }
    calls++;
    let req = {};
    try { req = JSON.parse(data); } catch (e) { req = {}; }
    log.push({ url: rq.url, authorization: rq.headers.authorization || null, api_key: rq.headers['api-key'] || null,
      body: req });
    if (log.length > 50) log.shift();
    let ans = null;
    const rfType = req.response_format && req.response_format.type;
    while (script.length) {
      const s = script[0];
      if (s.when === 'json_schema' && rfType !== 'json_schema') { script.shift(); continue; }
      ans = script.shift();
      break;
    }
    if (!ans || ans === 'default') ans = reply(req);
    const send = () => {
      const body = typeof ans.body === 'string' ? ans.body : JSON.stringify(ans.body);
      rs.writeHead(ans.status || 200, Object.assign({ 'Content-Type': 'application/json' }, ans.headers || {}));
      rs.end(body);
    };
    const wait = (ans.delay_ms !== undefined ? ans.delay_ms : 0) + delay;
    if (wait > 0) setTimeout(send, wait); else send();
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.FAKE_LLM_PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
