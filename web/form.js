/* form.js — the behaviour of the page `rubric form` writes (docs/form.md).
 *
 * It turns the values in the form into a record (JSON text, numbers exactly
 * as typed), hands it to the C evaluator (the library compiled to
 * WebAssembly, loaded from the page), and shows what the evaluator
 * returns: the total, grade, section and item scores, outputs, warnings,
 * and each error beside the value its path names.  It computes nothing of
 * the score itself, and every message it shows comes from the evaluator or
 * from the page's own text (#rubric-config, in the page's language).
 *
 * #record=<URI-encoded JSON> fills the form (SPEC §15); until a value is
 * changed, that record is scored exactly as given, so the page and
 * `rubric score` agree on it byte for byte, even on keys the form has no
 * place for. */
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('rubric-config').textContent);
  var T = config.text;
  var result = document.getElementById('rubric-result');
  var form = document.getElementById('rubric-values');
  var ctls = Array.prototype.slice.call(document.querySelectorAll('.ctl'));
  var evaluator = null;
  var given = null;   // the #record= text, scored as is until the form changes
  var lastRecord = '';
  var fromRecord = false; // the form was filled from #record=: show every error

  function $(sel, root) { return (root || document).querySelector(sel); }
  function text(el, s) { if (el) el.textContent = s; }

  /* ---- the record from the form ---------------------------------------- */

  var NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
  function numberText(s) { return NUMBER.test(s) ? s : JSON.stringify(s); }

  // One control's value as JSON text, or null when nothing is given.
  function valueOf(ctl) {
    var type = ctl.dataset.type;
    var na = $('input.na', ctl);
    if (na && na.checked) return '"n/a"';
    if (type === 'choice' || type === 'bool') {
      var on = $('input:checked', ctl);
      if (!on || on.value === '') return null;
      return type === 'bool' ? on.value : JSON.stringify(on.value);
    }
    if (type === 'choices') {
      var ids = Array.prototype.map.call(ctl.querySelectorAll('input:checked'),
        function (i) { return JSON.stringify(i.value); });
      return '[' + ids.join(',') + ']';
    }
    var input = $('input', ctl);
    var v = input.value.trim();
    if (type === 'number' || type === 'integer') {
      if (input.validity && input.validity.badInput) return JSON.stringify(input.value);
      return v === '' ? null : numberText(v);
    }
    if (v === '') return null;
    if (type === 'percent') return /%$/.test(v) ? JSON.stringify(v) : numberText(v);
    if (type === 'many') {
      var parts = v.split(/[;,；，\s]+/).filter(function (x) { return x !== ''; });
      return '[' + parts.map(function (x) {
        return /^n\/a$/i.test(x) ? '"n/a"' : numberText(x);
      }).join(',') + ']';
    }
    return JSON.stringify(v);
  }

  // The record: keys in the order of the form, rated items as objects.
  function collect() {
    var parts = [], rated = {}, order = [];
    ctls.forEach(function (ctl) {
      var v = valueOf(ctl), key = ctl.dataset.key;
      if (ctl.dataset.rater) {
        if (!rated[key]) { rated[key] = []; order.push(key); }
        if (v !== null) rated[key].push(JSON.stringify(ctl.dataset.rater) + ':' + v);
      } else if (v !== null) {
        parts.push(JSON.stringify(key) + ':' + v);
      }
    });
    order.forEach(function (key) {
      if (rated[key].length) parts.push(JSON.stringify(key) + ':{' + rated[key].join(',') + '}');
    });
    return '{' + parts.join(',') + '}';
  }

  /* ---- the form from a record ------------------------------------------- */

  // JSON.parse keeping each number's text where the browser can (exact decimals).
  function parseExact(s) {
    return JSON.parse(s, function (k, v, ctx) {
      return typeof v === 'number' && ctx && typeof ctx.source === 'string' ? {num: ctx.source} : v;
    });
  }
  function shown(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'object' && 'num' in v) return v.num;
    if (Array.isArray(v)) return v.map(shown).join('; ');
    return String(v);
  }
  function put(ctl, v) {
    var type = ctl.dataset.type;
    var na = $('input.na', ctl);
    if (na) na.checked = v === 'n/a';
    if (v === 'n/a' && na) return;
    if (type === 'choice' || type === 'bool') {
      Array.prototype.forEach.call(ctl.querySelectorAll('input'), function (i) {
        i.checked = v !== null && v !== undefined && (i.value === String(v) || i.dataset.label === String(v));
      });
    } else if (type === 'choices') {
      var set = Array.isArray(v) ? v.map(String) : [];
      Array.prototype.forEach.call(ctl.querySelectorAll('input'), function (i) {
        i.checked = set.indexOf(i.value) >= 0 || (i.dataset.label !== undefined && set.indexOf(i.dataset.label) >= 0);
      });
    } else {
      $('input', ctl).value = shown(v);
    }
  }
  function fill(record) {
    ctls.forEach(function (ctl) {
      var v = record[ctl.dataset.key];
      if (ctl.dataset.rater) v = v && typeof v === 'object' && !('num' in v) && !Array.isArray(v) ? v[ctl.dataset.rater] : undefined;
      put(ctl, v === undefined ? null : v);
    });
  }

  /* ---- showing a result ----------------------------------------------------- */

  function clearOutputs() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-score-of]'), function (o) { o.textContent = ''; });
    Array.prototype.forEach.call(document.querySelectorAll('.error'), function (e) { e.textContent = ''; });
    Array.prototype.forEach.call(document.querySelectorAll('[aria-invalid]'), function (e) { e.removeAttribute('aria-invalid'); });
  }
  function li(list, s) {
    var item = document.createElement('li');
    item.textContent = s;
    list.appendChild(item);
  }
  function showScores(list) {
    (list || []).forEach(function (s) {
      text($('[data-score-of="' + CSS.escape(s.name) + '"]'), s.score === undefined ? '' : shown(s.score));
      (s.items || []).forEach(function (i) {
        text($('[data-score-of="' + CSS.escape(i.name) + '"]'), i.score === undefined ? '' : shown(i.score));
      });
      showScores(s.sections);
    });
  }
  function show(line, total) {
    var r = parseExact(line);
    clearOutputs();
    result.dataset.ok = r.ok ? 'true' : 'false';
    result.dataset.total = total;
    result.dataset.grade = r.grade ? r.grade.id : '';
    text($('.total', result), total === '' ? '' : T.total + ' ' + total + (r.scale !== undefined ? ' / ' + shown(r.scale) : ''));
    text($('.grade', result), r.grade ? T.grade + ' ' + r.grade.label : '');
    text($('.state', result), r.ok ? T.valid : T.invalid);
    showScores(r.sections);
    (r.items || []).forEach(function (i) {
      text($('[data-score-of="' + CSS.escape(i.name) + '"]'), i.score === undefined ? '' : shown(i.score));
    });
    var outs = $('.outputs', result);
    outs.textContent = '';
    Object.keys(r.outputs || {}).forEach(function (k) {
      var dt = document.createElement('dt'), dd = document.createElement('dd');
      dt.textContent = config.outputs[k] || k;
      dd.textContent = shown(r.outputs[k]);
      outs.appendChild(dt);
      outs.appendChild(dd);
    });
    var warns = $('.warnings', result), errs = $('.errors', result);
    warns.textContent = '';
    errs.textContent = '';
    (r.warnings || []).forEach(function (w) { li(warns, w.message); });
    (r.errors || []).forEach(function (e) {
      // Beside the value it concerns: the path itself, or its item.
      var at = document.getElementById('e-' + e.path) || document.getElementById('e-' + e.path.split('.')[0]);
      // A value not yet filled in is not an error to show beside it on a
      // blank form: the result lists it until the value is touched.
      var ctlAt = at && at.closest('.ctl');
      if (at && e.code === 'missing' && !fromRecord && !(ctlAt && ctlAt.dataset.touched)) at = null;
      if (e.path && at) {
        at.textContent = (at.textContent ? at.textContent + ' ' : '') + e.message;
        var ctl = at.closest('.ctl');
        var input = ctl && $('input', ctl);
        if (input) input.setAttribute('aria-invalid', 'true');
      } else {
        li(errs, e.message);
      }
    });
  }

  /* ---- scoring ----------------------------------------------------------------- */

  function score() {
    var record = given !== null ? given : collect();
    lastRecord = record;
    document.body.classList.toggle('blank', record === '{}' || /^\{\s*\}$/.test(record));
    document.getElementById('rubric-ndjson').value = record;
    // Empty blanks print as blanks (a date's mm/dd/yyyy hint included).
    Array.prototype.forEach.call(form.querySelectorAll('input[type=text], input[type=number], input[type=date]'),
      function (i) { i.classList.toggle('empty', i.value === '' && !(i.validity && i.validity.badInput)); });
    var line = evaluator.score(record);
    show(line, evaluator.total());
    result.dataset.ready = 'true';
  }
  function changed(ev) {
    var ctl = ev && ev.target && ev.target.closest && ev.target.closest('.ctl');
    if (ctl) ctl.dataset.touched = 'true';
    given = null;
    if (evaluator) score();
  }

  function fromHash() {
    var m = /^#record=(.*)$/s.exec(location.hash);
    if (!m) return false;
    var s;
    try { s = decodeURIComponent(m[1]); } catch (e) { s = m[1]; }
    given = s;
    fromRecord = true;
    try {
      var r = parseExact(s);
      if (r && typeof r === 'object' && !Array.isArray(r)) fill(r);
    } catch (e) { /* the evaluator reports the malformed record */ }
    return true;
  }

  function start() {
    var bytes;
    try {
      var raw = atob(document.getElementById('rubric-rbc').textContent.trim());
      bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      var M = RubricEvaluator();
      var at = M._malloc(bytes.length);
      M.HEAPU8.set(bytes, at);
      var load = M.cwrap('rbw_load', 'number', ['number', 'number', 'number']);
      var zh = document.documentElement.lang.indexOf('zh') === 0 ? 1 : 0;
      if (load(at, bytes.length, zh) !== 0) throw new Error(M.cwrap('rbw_error', 'string', [])());
      M._free(at);
      evaluator = {
        score: M.cwrap('rbw_score', 'string', ['string']),
        total: M.cwrap('rbw_total', 'string', [])
      };
    } catch (e) {
      text($('.state', result), T.failed + ' ' + e.message);
      return;
    }
    score();
  }

  /* ---- save, print, events ---------------------------------------------------- */

  function save() {
    // Exactly what was scored: numbers keep the text they were typed as.
    var record = lastRecord;
    var blob = new Blob([record + '\n'], {type: 'application/json'});
    var a = document.createElement('a');
    var name = '';
    try { var r = JSON.parse(record); name = typeof r.name === 'string' ? '-' + r.name : ''; } catch (e) { /* none */ }
    a.href = URL.createObjectURL(blob);
    a.download = config.form + name + '.json';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  document.getElementById('rubric-save').addEventListener('click', save);
  document.getElementById('rubric-print').addEventListener('click', function () { window.print(); });
  var ndjson = document.getElementById('rubric-ndjson');
  ndjson.addEventListener('focus', function () { ndjson.select(); });
  window.addEventListener('hashchange', function () {
    result.dataset.ready = 'false';
    if (fromHash() && evaluator) score();
  });
  text($('.state', result), T.loading);
  fromHash();
  start();
  window.rubricForm = {collect: collect, score: function () { given = null; score(); }};
})();
