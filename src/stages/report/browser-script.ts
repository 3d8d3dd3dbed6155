/**
 * The example browser's script, inlined into report.html (allowed by the page's CSP through its
 * hash). It reads the JSON block #cf-examples and builds every element with textContent: query and
 * document strings never become markup.
 */
export const BROWSER_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('cf-examples').textContent);
  var queries = data.queriesList || [];
  var docs = data.docs || {};
  var input = document.getElementById('cf-search');
  var list = document.getElementById('cf-results');
  var detail = document.getElementById('cf-detail');
  var count = document.getElementById('cf-count');
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function table(head, rows) {
    var t = el('table'), tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', h)); });
    var thead = el('thead'); thead.appendChild(tr); t.appendChild(thead);
    var tb = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c) { row.appendChild(c instanceof Node ? wrap(c) : el('td', c === null || c === undefined ? '—' : c)); });
      tb.appendChild(row);
    });
    t.appendChild(tb);
    return t;
  }
  function wrap(node) { var td = el('td'); td.appendChild(node); return td; }
  function docCell(id) {
    var d = el('div'); d.appendChild(el('code', id)); d.appendChild(el('div', docs[id] || '', 'snippet'));
    return d;
  }
  function show(q) {
    detail.textContent = '';
    detail.appendChild(el('h3', q.query));
    detail.appendChild(el('p', 'split: ' + (q.split || '—') + (q.noRecord ? ' · no exported record (dropped after the positives, e.g. too few negatives)' : ''), 'muted'));
    detail.appendChild(el('h4', 'Positives (' + q.positives.length + ') and their evidence'));
    detail.appendChild(table(['document', 'grade', 'weight', 'clicks', 'satisfied', 'converted', 'impressions', 'signals'],
      q.positives.map(function (p) { return [docCell(p[0]), p[1], p[2], p[3], p[4], p[5], p[6], p[7]]; })));
    detail.appendChild(el('h4', 'Negatives (' + q.negatives.length + ') with score and miner'));
    detail.appendChild(q.negatives.length ? table(['document', 'miner', 'score', 'hardness', 'miner rank'],
      q.negatives.map(function (n) { return [docCell(n[0]), n[1], n[2], n[3], n[4]]; })) : el('p', 'none', 'muted'));
    detail.appendChild(el('h4', 'Candidates removed by the false-negative filters (' + q.removed.length + ')'));
    detail.appendChild(q.removed.length ? table(['document', 'filter', 'reason'],
      q.removed.map(function (r) { return [docCell(r[0]), r[1], r[2]]; })) : el('p', 'none for this query', 'muted'));
  }
  function search() {
    var term = input.value.trim().toLowerCase();
    var hits = [];
    for (var i = 0; i < queries.length && hits.length < 50; i++) {
      if (!term || queries[i].query.toLowerCase().indexOf(term) >= 0) hits.push(queries[i]);
    }
    list.textContent = '';
    hits.forEach(function (q) {
      var b = el('button', q.query, 'cf-hit');
      b.type = 'button';
      b.addEventListener('click', function () { show(q); });
      var li = el('li'); li.appendChild(b); list.appendChild(li);
    });
    count.textContent = hits.length === 0 ? 'no query matches' : (hits.length === 50 ? 'first 50 matches' : hits.length + ' matches');
    if (hits.length === 1) show(hits[0]);
  }
  input.addEventListener('input', search);
  search();
  if (queries.length) show(queries[0]);
})();
`;
