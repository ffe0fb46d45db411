// wasm.js — the WebAssembly evaluator against the native one, under Node
// (part of `make test`; the browser suite is tests/form/run.js).
//
//   node tests/form/wasm.js RUBRIC EVALUATOR_JS
//
// For every template (templates/, and the test forms in tests/form/), its
// .rbc is loaded into the module the form page embeds, and every record of
// its cases and sample records is scored there, in English and in Chinese;
// each result line must be byte for byte what `rubric score --lang` prints
// for it (digest, messages and all).
'use strict';
const {execFileSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [rubric, evaluatorJs] = process.argv.slice(2);
const M = require(path.resolve(evaluatorJs))();
const load = M.cwrap('rbw_load', 'number', ['number', 'number', 'number']);
const scoreWasm = M.cwrap('rbw_score', 'string', ['string']);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rubric-wasm-'));
let passed = 0, failed = 0;
const forms = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.rubric')).sort().map((f) => path.join(dir, f));
for (const t of forms('templates').concat(forms('tests/form'))) {
  const file = path.basename(t), rbc = path.join(tmp, file + '.rbc');
  execFileSync(rubric, ['compile', t, '-o', rbc]);
  // The records: every sample record and every case's record, one per line.
  const lines = [];
  for (const ext of ['.records.ndjson', '.cases.ndjson']) {
    const f = t.replace(/\.rubric$/, ext);
    if (!fs.existsSync(f)) continue;
    for (const l of fs.readFileSync(f, 'utf8').split('\n').filter((x) => x.trim())) {
      if (ext !== '.cases.ndjson') { lines.push(l); continue; }
      const c = JSON.parse(l); // a multi-period case gives each step's record
      for (const r of c.sequence ? c.sequence.map((s) => s.record) : [c.record]) lines.push(JSON.stringify(r));
    }
  }
  // In each language the page may be written in: messages must agree too.
  for (const [zh, lang] of [[0, 'en'], [1, 'zh']]) {
    const bytes = fs.readFileSync(rbc);
    const at = M._malloc(bytes.length);
    M.HEAPU8.set(bytes, at);
    if (load(at, bytes.length, zh) !== 0) throw new Error(t + ': ' + M.cwrap('rbw_error', 'string', [])());
    M._free(at);
    let native;
    try {
      native = execFileSync(rubric, ['score', '--lang', lang, rbc, '-'], {input: lines.join('\n') + '\n', encoding: 'utf8'});
    } catch (e) {
      if (e.status !== 1) throw e;
      native = e.stdout;
    }
    native.split('\n').filter(Boolean).forEach((want, i) => {
      // The native stream numbers its records; the page scores one at a time.
      const got = scoreWasm(lines[i]).trim().replace(/^\{"record":1,/, '{"record":' + (i + 1) + ',');
      if (got === want) passed++;
      else { failed++; console.log(`FAIL ${file} (${lang}) record ${i + 1}\n  wasm:   ${got}\n  native: ${want}`); }
    });
  }
}
fs.rmSync(tmp, {recursive: true, force: true});
console.log(`wasm evaluator: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
