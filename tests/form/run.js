// run.js — the form pages in a real browser (make test-form; docs/form.md).
//
//   node tests/form/run.js RUBRIC OUTDIR [TEMPLATE...]
//
// Headless Chromium (Debian's) is driven through the DevTools protocol over
// a pipe (--remote-debugging-pipe), so that no socket is needed and the
// whole run can go without a network: as root it runs in a network
// namespace of its own (unshare -n), and every page is also told to be
// offline; a request for anything but the page itself fails the run.
//
// For every template (templates/, and the test forms in tests/form/) and
// every case in its cases file, the page is opened with #record=<the case's
// record> and #rubric-result is read: data-ok, data-total and data-grade must
// be exactly what `rubric score` prints for that record.  For each valid case the page is then made to score the
// record it rebuilt from its own fields, which must agree too.  Then, on
// one page, typing is simulated (an out-of-range value must bring the
// evaluator's message beside its field), Save must download a record that
// `rubric score` accepts, and the page is printed to PDF blank and filled
// (page 1 kept as PNG in OUTDIR).
'use strict';
const {spawn, execFileSync} = require('child_process');
const fs = require('fs');
const path = require('path');

const [rubric, outdir, ...only] = process.argv.slice(2);
if (!rubric || !outdir) {
  console.error('usage: node tests/form/run.js RUBRIC OUTDIR [TEMPLATE...]');
  process.exit(2);
}
fs.mkdirSync(outdir, {recursive: true});
let passed = 0, failed = 0;
function check(ok, what, detail) {
  if (ok) passed++;
  else { failed++; console.log('FAIL ' + what + (detail ? '\n  ' + detail : '')); }
}

// ---- the raw text of a JSON member (numbers exactly as written) ---------
function skipString(s, i) { // s[i] is '"'
  for (i++; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i + 1;
  }
  throw new Error('unterminated string');
}
function skipValue(s, i) {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '"') { i = skipString(s, i) - 1; if (depth === 0) return i + 1; }
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') { depth--; if (depth === 0) return i + 1; if (depth < 0) return i; }
    else if (c === ',' && depth === 0) return i;
  }
  return i;
}
function rawMember(line, key) {
  let i = line.indexOf('{') + 1;
  while (i < line.length) {
    while (/[\s,]/.test(line[i])) i++;
    if (line[i] !== '"') return null;
    const end = skipString(line, i);
    const k = JSON.parse(line.slice(i, end));
    i = end;
    while (/[\s:]/.test(line[i])) i++;
    const vend = skipValue(line, i);
    if (k === key) return line.slice(i, vend).trim();
    i = vend;
  }
  return null;
}

// ---- what `rubric score` says ---------------------------------------------
function score(template, records) {
  let out;
  try {
    out = execFileSync(rubric, ['score', template, '-'], {input: records.join('\n') + '\n', encoding: 'utf8'});
  } catch (e) {
    if (e.status !== 1) throw e;
    out = e.stdout;
  }
  return out.split('\n').filter(Boolean).map((l) => ({
    ok: String(JSON.parse(l).ok),
    total: rawMember(l, 'total') || '',
    grade: (JSON.parse(l).grade || {}).id || '',
    line: l,
  }));
}

// ---- the browser -------------------------------------------------------------
function browser() {
  const profile = fs.mkdtempSync(path.join(outdir, 'profile-'));
  const args = ['--headless=new', '--remote-debugging-pipe', '--no-first-run', '--no-default-browser-check',
    '--disable-gpu', '--disable-extensions', '--disable-sync', '--no-sandbox', '--allow-file-access-from-files',
    '--user-data-dir=' + profile, 'about:blank'];
  const isolated = process.getuid && process.getuid() === 0;
  const child = isolated ? spawn('unshare', ['-n', 'chromium', ...args], {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']})
                         : spawn('chromium', args, {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']});
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const toBrowser = child.stdio[3], fromBrowser = child.stdio[4];
  let id = 0, buf = '';
  const waiting = new Map(), listeners = [];
  fromBrowser.on('data', (d) => {
    buf += d.toString('utf8');
    let nul;
    while ((nul = buf.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nul));
      buf = buf.slice(nul + 1);
      if (msg.id && waiting.has(msg.id)) {
        const {resolve, reject} = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error) reject(new Error(JSON.stringify(msg.error)));
        else resolve(msg.result);
      } else {
        listeners.forEach((l) => l(msg));
      }
    }
  });
  child.on('exit', (code) => {
    for (const {reject} of waiting.values()) reject(new Error('chromium exited ' + code + ': ' + stderr.slice(-2000)));
  });
  function send(method, params, sessionId) {
    const msg = {id: ++id, method, params: params || {}};
    if (sessionId) msg.sessionId = sessionId;
    toBrowser.write(JSON.stringify(msg) + '\0');
    return new Promise((resolve, reject) => waiting.set(msg.id, {resolve, reject}));
  }
  function once(method, sessionId, timeout) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for ' + method)), timeout || 20000);
      const l = (m) => {
        if (m.method === method && (!sessionId || m.sessionId === sessionId)) {
          clearTimeout(t);
          listeners.splice(listeners.indexOf(l), 1);
          resolve(m.params);
        }
      };
      listeners.push(l);
    });
  }
  return {send, once, listeners, isolated, close: () => new Promise((resolve) => {
    child.on('exit', () => { fs.rmSync(profile, {recursive: true, force: true}); resolve(); });
    child.kill();
  })};
}

async function main() {
  const b = browser();
  const {targetId} = await b.send('Target.createTarget', {url: 'about:blank'});
  const {sessionId: s} = await b.send('Target.attachToTarget', {targetId, flatten: true});
  const send = (m, p) => b.send(m, p, s);
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Network.enable');
  await send('Network.emulateNetworkConditions', {offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1});
  const requests = [];
  b.listeners.push((m) => {
    if (m.method === 'Network.requestWillBeSent' && !/^(file|data|blob|about):/.test(m.params.request.url)) requests.push(m.params.request.url);
    if (m.method === 'Runtime.exceptionThrown') check(false, 'no script error on the page', JSON.stringify(m.params.exceptionDetails).slice(0, 500));
  });
  async function evaluate(expr) {
    const r = await send('Runtime.evaluate', {expression: expr, returnByValue: true, awaitPromise: true});
    if (r.exceptionDetails) throw new Error(expr + ': ' + JSON.stringify(r.exceptionDetails).slice(0, 400));
    return r.result.value;
  }
  const READ = `(async () => { const r = document.getElementById('rubric-result');
    for (let i = 0; i < 400 && r.dataset.ready !== 'true'; i++) await new Promise((f) => setTimeout(f, 10));
    return {ready: r.dataset.ready, ok: r.dataset.ok, total: r.dataset.total, grade: r.dataset.grade}; })()`;
  let serial = 0;
  async function open(file, record) {
    const url = 'file://' + path.resolve(file) + '?n=' + (++serial) + (record === undefined ? '' : '#record=' + encodeURIComponent(record));
    const loaded = b.once('Page.loadEventFired', s);
    await send('Page.navigate', {url});
    await loaded;
    return evaluate(READ);
  }

  // The templates, and the suite's own forms for what no seed form uses (r360:
  // rater groups, n/a, caps).
  const formsIn = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.rubric')).map((f) => dir + '/' + f);
  const templates = only.length ? only : formsIn('templates').concat(formsIn('tests/form'));
  for (const t of templates) {
    const name = path.basename(t, '.rubric');
    const html = path.join(outdir, name + '.html');
    execFileSync(rubric, ['form', t, '-o', html]);
    const page = fs.readFileSync(html, 'utf8');
    check(!/(src|href|action)\s*=\s*["']?\s*(https?:|\/\/)|url\(\s*["']?(https?:|\/\/)|@import/i.test(page), name + ': the page references no external URL');
    const casesFile = t.replace(/\.rubric$/, '.cases.ndjson');
    if (!fs.existsSync(casesFile)) continue;
    // One page per record: a multi-period case gives each of its steps' records
    // (scored alone on both sides: history feeds outputs, never ok, total or grade).
    const cases = [], records = [];
    for (const l of fs.readFileSync(casesFile, 'utf8').split('\n').filter((x) => x.trim())) {
      const c = JSON.parse(l);
      if (!c.sequence) { cases.push(c.name); records.push(rawMember(l, 'record')); continue; }
      c.sequence.forEach((step, k) => { cases.push(`${c.name} step ${k + 1}`); records.push(JSON.stringify(step.record)); });
    }
    const expected = score(t, records);
    let agreed = 0;
    for (let i = 0; i < cases.length; i++) {
      const caseName = cases[i] || 'case ' + (i + 1);
      const want = expected[i];
      const got = await open(html, records[i]);
      const same = got.ready === 'true' && got.ok === want.ok && got.total === want.total && got.grade === want.grade;
      check(same, `${name}: ${caseName}: page agrees with rubric score`,
        `page ok=${got.ok} total=${got.total} grade=${got.grade} ready=${got.ready}; score ok=${want.ok} total=${want.total} grade=${want.grade}`);
      if (same) agreed++;
      if (want.ok === 'true') {
        // The same values, read back from the form's own fields.
        const rebuilt = await evaluate('rubricForm.collect()');
        await evaluate('rubricForm.score()');
        const again = await evaluate(READ);
        const sure = score(t, [rebuilt])[0];
        check(again.ok === want.ok && again.total === want.total && again.grade === want.grade &&
              sure.total === want.total && sure.grade === want.grade,
          `${name}: ${caseName}: the record rebuilt from the fields scores the same`,
          `rebuilt ${rebuilt}: page total=${again.total} grade=${again.grade}, score total=${sure.total}; expected ${want.total} ${want.grade}`);
      }
    }
    console.log(`${name}: ${agreed}/${cases.length} cases agree with rubric score`);
  }

  // ---- typing, live messages, Save -------------------------------------------
  const presales = path.join(outdir, 'presales.html');
  if (fs.existsSync(presales)) {
    await open(presales);
    await evaluate(`document.getElementById('v-knowledge').focus()`);
    await send('Input.insertText', {text: '12'});
    const live = await evaluate(`(() => { const r = document.getElementById('rubric-result');
      return {ok: r.dataset.ok, error: document.getElementById('e-knowledge').textContent,
              invalid: document.getElementById('v-knowledge').getAttribute('aria-invalid'),
              described: document.getElementById('v-knowledge').getAttribute('aria-describedby')}; })()`);
    const typed = await evaluate('rubricForm.collect()');
    const cli = JSON.parse(score('templates/presales.rubric', [typed])[0].line);
    const cliError = (cli.errors.find((e) => e.path === 'knowledge') || {}).message;
    check(live.ok === 'false' && cliError && live.error === cliError && live.invalid === 'true' && /\be-knowledge\b/.test(live.described),
      'typing 12 into a 0..10 item shows the evaluator\'s message beside it', JSON.stringify(live) + ' vs ' + cliError);
    // Fill the rest by keyboard: Tab from field to field, typing each value.
    const full = {name: '李娜', date: '2026-10-31', knowledge: 9, initiative: 8, expression: 9, patience: 10,
      technique: 12, target: 13, satisfaction: 9, teamwork: 8, learning: 9};
    await open(presales);
    for (const [k, v] of Object.entries(full)) {
      await evaluate(`document.getElementById('v-${k}').focus(); document.getElementById('v-${k}').select && document.getElementById('v-${k}').select()`);
      if (k === 'date') await evaluate(`(() => { const e = document.getElementById('v-date'); e.value = '${v}'; e.dispatchEvent(new Event('input', {bubbles: true})); })()`);
      else await send('Input.insertText', {text: String(v)});
    }
    const filled = await evaluate(READ);
    check(filled.ok === 'true' && filled.total === '87' && filled.grade === 'good', 'typed values score 87, good', JSON.stringify(filled));
    const downloads = fs.mkdtempSync(path.join(outdir, 'download-'));
    await b.send('Browser.setDownloadBehavior', {behavior: 'allow', downloadPath: path.resolve(downloads), eventsEnabled: true});
    const done = new Promise((resolve) => b.listeners.push((m) => {
      if (m.method === 'Browser.downloadProgress' && m.params.state === 'completed') resolve();
    }));
    await evaluate(`document.getElementById('rubric-save').click()`);
    await Promise.race([done, new Promise((f) => setTimeout(f, 10000))]);
    const saved = fs.readdirSync(downloads).filter((f) => f.endsWith('.json'));
    check(saved.length === 1, 'Save downloads one .json record', saved.join(', '));
    if (saved.length === 1) {
      const rec = fs.readFileSync(path.join(downloads, saved[0]), 'utf8').trim();
      const r = score('templates/presales.rubric', [rec])[0];
      check(r.ok === 'true' && r.total === '87' && r.grade === 'good', 'rubric score accepts the saved record: 87, good', r.line);
    }
  }

  // ---- print: blank and filled, page 1 kept as PNG ------------------------------
  const weekly = path.join(outdir, 'cs_weekly-zh.html');
  if (fs.existsSync(path.join(outdir, 'cs_weekly.html'))) {
    execFileSync(rubric, ['form', '--lang', 'zh', 'templates/cs_weekly.rubric', '-o', weekly]);
    const record = fs.readFileSync('templates/cs_weekly.records.ndjson', 'utf8').split('\n')[0];
    for (const [kind, rec] of [['blank', undefined], ['filled', record]]) {
      await open(weekly, rec);
      const pdf = await send('Page.printToPDF', {preferCSSPageSize: true, printBackground: false});
      const file = path.join(outdir, `cs_weekly-${kind}.pdf`);
      fs.writeFileSync(file, Buffer.from(pdf.data, 'base64'));
      execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', file, file.replace(/\.pdf$/, '-page1')]);
      const textOf = execFileSync('pdftotext', ['-layout', file, '-'], {encoding: 'utf8'});
      const pages = (execFileSync('pdfinfo', [file], {encoding: 'utf8'}).match(/Page size:\s+([\d.]+) x ([\d.]+)/) || []);
      check(Math.abs(pages[1] - 595.92) < 2 && Math.abs(pages[2] - 842.88) < 2, `${kind} print is A4`, pages[0]);
      for (const must of ['本人签字', '直接领导签字', '分管领导签字', '日期', '年', '月', '日', '工作目标', '行为表现', '自我考评', '分管领导'])
        check(textOf.includes(must), `${kind} print shows ${must}`);
      const totalShown = /92\.37/.test(textOf);
      check(kind === 'blank' ? !totalShown : totalShown, `${kind} print ${kind === 'blank' ? 'has no result' : 'shows the total 92.37'}`);
    }
  }

  check(requests.length === 0, 'the pages requested nothing from the network', requests.slice(0, 5).join(' '));
  console.log(`form pages${b.isolated ? ' (network namespace: no network)' : ' (offline emulation)'}: ${passed} passed, ${failed} failed`);
  await b.close();
  process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.error('test-form: ' + (e.stack || e)); process.exit(2); });
