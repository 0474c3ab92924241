'use strict';
// fanout dashboard: plain ES2020, no dependencies, no build step. The coordinator
// serves it at /app.js and answers the JSON API under /api/.

/* ---------- safe HTML templating ---------- */
// Every interpolated value is escaped unless it came from html`` itself, so text
// from the API (item JSON, error messages, labels) can never become markup.
class Safe { constructor(s) { this.s = s; } toString() { return this.s; } }
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);
const piece = (v) => v instanceof Safe ? v.s : Array.isArray(v) ? v.map(piece).join('')
  : v == null || v === false ? '' : esc(v);
function html(strs, ...vals) {
  let out = strs[0];
  vals.forEach((v, i) => { out += piece(v) + strs[i + 1]; });
  return new Safe(out);
}

/* ---------- minimal DOM morphing ---------- */
// Replacing innerHTML every second would drop text selection, hover state, open
// <details> and CSS transitions; instead patch the live DOM toward new markup.
function render(el, markup) {
  const tpl = document.createElement('template');
  tpl.innerHTML = piece(markup);
  morph(el, tpl.content);
}
function morph(live, next) {
  const want = [...next.childNodes]; // snapshot: nodes move out of `next` below
  want.forEach((n, i) => {
    const cur = live.childNodes[i];
    if (!cur) live.appendChild(n);
    else if (!sameNode(cur, n)) live.replaceChild(n, cur);
    else if (n.nodeType === 1) { syncAttrs(cur, n); morph(cur, n); }
    else if (cur.nodeValue !== n.nodeValue) cur.nodeValue = n.nodeValue;
  });
  while (live.childNodes.length > want.length) live.removeChild(live.lastChild);
}
const sameNode = (a, b) => a.nodeType === b.nodeType && a.nodeName === b.nodeName &&
  (a.nodeType !== 1 || a.getAttribute('data-key') === b.getAttribute('data-key'));
function syncAttrs(cur, n) {
  // "open" belongs to the user (a <details> they expanded), not to the render.
  for (const a of [...cur.attributes]) if (!n.hasAttribute(a.name) && a.name !== 'open') cur.removeAttribute(a.name);
  for (const a of n.attributes) if (cur.getAttribute(a.name) !== a.value) cur.setAttribute(a.name, a.value);
}

/* ---------- formatting ---------- */
const NF = new Intl.NumberFormat('en-US');
const num = (n) => n == null || !isFinite(n) ? '—' : NF.format(n);
const fixed = (n, d) => new Intl.NumberFormat('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }).format(n);
const pct = (p) => fixed(100 * (Number(p) || 0), 1) + '%';
const rateNum = (r) => (r || 0) < 10 ? fixed(r || 0, 1) : num(Math.round(r));
const rateText = (r) => r ? rateNum(r) + '/s' : '—';
function dur(s) { // "45s", "3m 12s", "1h 4m", "2d 3h"
  if (s == null || !isFinite(s)) return '—';
  s = Math.max(0, Math.round(s));
  const parts = [];
  for (const [u, v] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    if (s >= v || parts.length || v === 1) { parts.push(Math.floor(s / v) + u); s %= v; }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
function cost(c) { // four significant digits for sub-dollar amounts: $0.0012
  if (c == null || !isFinite(c)) return '—';
  if (c === 0) return '$0';
  if (c >= 1) return '$' + fixed(c, 2);
  const d = Math.min(10, Math.max(2, 3 - Math.floor(Math.log10(c))));
  return '$' + c.toFixed(d).replace(/\.?0+$/, '');
}
let skewMs = 0; // server clock minus browser clock, learned from "now" fields
const nowMs = () => Date.now() + skewMs;
const pad = (n) => String(n).padStart(2, '0');
const clock = (d, secs = true) => `${pad(d.getHours())}:${pad(d.getMinutes())}${secs ? ':' + pad(d.getSeconds()) : ''}`;
function ago(t) {
  const s = Math.max(0, (nowMs() - t) / 1000);
  if (s < 2) return 'just now';
  if (s < 60) return Math.floor(s) + 's ago';
  if (s < 3600) return Math.floor(s / 60) + 'm ago';
  if (s < 86400) return Math.floor(s / 3600) + 'h ago';
  return Math.floor(s / 86400) + 'd ago';
}
function when(iso) {
  const t = iso ? Date.parse(iso) : NaN;
  if (isNaN(t)) return html`<span class="muted">—</span>`;
  const d = new Date(t);
  const abs = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d)} local\n${iso}`;
  return html`<time datetime="${iso}" title="${abs}">${ago(t)}</time>`;
}

/* ---------- shared widgets ---------- */
const lc = (s) => String(s || 'unknown').toLowerCase();
const badge = (state) => html`<span class="badge s-${lc(state)}">${lc(state)}</span>`;
const doneOf = (c) => (c.succeeded || 0) + (c.failed || 0) + (c.dead || 0) + (c.cancelled || 0);
const totalText = (j) => num((j.counts || {}).total) + (j.total_known === false ? '+' : '');
// What the label says: the job's progress (with running tasks' checkpoints), or, once tasks were
// cancelled, only the work that finished (a cancelled task did nothing).
const shownProgress = (j) => {
  const c = j.counts || {}, t = c.total || 0;
  if (!(c.cancelled > 0)) return Number(j.progress) || 0;
  return t ? ((c.succeeded || 0) + (c.failed || 0) + (c.dead || 0)) / t : 0;
};

// Stacked bar from task counts; data-progress carries the job's own progress value
// (which also includes partial progress of running tasks) for automated checks. The running
// segment is that partial progress, so the bar ends where the label says.
function bar(j, id) {
  const c = j.counts || {}, t = c.total || 0, p = Number(j.progress) || 0;
  const w = (n) => (t ? Math.min(100, 100 * (n || 0) / t) : 0).toFixed(2) + '%';
  const unknown = j.total_known === false;
  const tip = `${num(doneOf(c))} of ${totalText(j)} tasks finished · ${pct(p)}${unknown ? ' · source still being listed' : ''}`;
  return html`<div class="progress${id ? ' big' : ''}${unknown ? ' unknown' : ''}"${id ? html` id="${id}"` : ''}
    data-progress="${p.toFixed(4)}" role="progressbar" aria-valuemin="0" aria-valuemax="1" aria-valuenow="${p.toFixed(4)}" title="${tip}"><i
    class="seg ok" style="width:${w(c.succeeded)}"></i><i class="seg bad" style="width:${w((c.failed || 0) + (c.dead || 0))}"></i><i
    class="seg cx" style="width:${w(c.cancelled)}"></i><i class="seg run" style="width:${w(Math.max(0, p * t - doneOf(c)))}"></i></div>`;
}
const mini = (frac, cls) => html`<div class="mini-bar ${cls}"><i style="width:${(100 * Math.min(1, Math.max(0, frac || 0))).toFixed(1)}%"></i></div>`;
const tile = (label, value, sub, cls = '', id = '') => html`<div class="tile ${cls}"><div class="tile-label">${label}</div>
  <div class="tile-value"${id ? html` id="${id}" data-value="${value instanceof Safe ? '' : value}"` : ''}>${value instanceof Safe ? value : (typeof value === 'number' ? num(value) : value)}</div>
  ${sub ? html`<div class="tile-sub">${sub}</div>` : ''}</div>`;
const labelChips = (labels) => Object.entries(labels || {}).map(([k, v]) => html`<span class="chip">${k}=${v}</span>`);
const emptyRow = (cols, text) => html`<tr class="empty-row"><td colspan="${cols}">${text}</td></tr>`;
function sparkline(vals, w = 120, h = 28) {
  if (vals.length < 2) return '';
  const max = Math.max(...vals, 1e-9);
  const pts = vals.map((v, i) => `${(w * i / (vals.length - 1)).toFixed(1)},${(h - 2 - (h - 4) * v / max).toFixed(1)}`);
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none"><polyline points="${pts.join(' ')}"/></svg>`;
}

/* ---------- API ---------- */
async function api(path) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 8000); // a hung request must not stall the refresh chain
  try {
    const res = await fetch(path, { signal: ctl.signal, cache: 'no-store', headers: { Accept: 'application/json' } });
    let body = null;
    try { body = await res.json(); } catch (_) { /* non-JSON error page */ }
    if (!res.ok) { const e = new Error((body && body.error) || `HTTP ${res.status}`); e.status = res.status; throw e; }
    if (body && body.now) skewMs = Date.parse(body.now) - Date.now() || 0;
    return body;
  } catch (e) {
    throw e.name === 'AbortError' ? new Error('request timed out') : e;
  } finally { clearTimeout(timer); }
}

/* ---------- jobs list ---------- */
const STATES = ['ALL', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const jobsView = {
  filter: { state: 'ALL', q: '' },
  rateHist: [], // client-side history of aggregate tasks/s for the tile sparkline
  title: () => 'fanout — jobs',
  mount(root) {
    root.innerHTML = `<section class="tiles" id="job-tiles"></section>
      <section class="panel"><div class="panel-head"><h2>Jobs</h2><div class="filters" id="state-filter"></div>
        <input id="job-search" type="search" placeholder="Filter by id, function, source, label   /" autocomplete="off" spellcheck="false"></div>
      <div class="table-wrap"><table id="jobs" class="grid"><thead><tr><th>Job</th><th>Function</th><th>State</th>
        <th class="w-progress">Progress</th><th class="num">Tasks</th><th class="num">Rate</th><th class="num">ETA</th>
        <th>Created</th><th class="num">Cost</th></tr></thead><tbody></tbody></table></div></section>`;
    const search = root.querySelector('#job-search');
    search.value = this.filter.q;
    search.addEventListener('input', () => { this.filter.q = search.value; this.draw(); });
  },
  async refresh(r) {
    const [jobs, workers] = await Promise.all([api('/api/jobs?limit=100'),
      api('/api/workers').catch(() => null)]); // workers are a nice-to-have here
    if (r !== route) return;
    (jobs.jobs || []).forEach((j) => { j.counts = j.counts || {}; });
    const running = (jobs.jobs || []).filter((j) => j.state === 'RUNNING');
    this.rateHist.push(running.reduce((a, j) => a + (j.rate || 0), 0));
    if (this.rateHist.length > 120) this.rateHist.shift();
    this.data = { jobs: jobs.jobs || [], workers: workers && workers.workers };
    this.draw();
  },
  action(name, el) { if (name === 'filter') { this.filter.state = el.dataset.state; this.draw(); } },
  draw() {
    const root = document.getElementById('job-tiles');
    if (!this.data || !root) return;
    const { jobs, workers } = this.data, sum = (xs, f) => xs.reduce((a, x) => a + (f(x) || 0), 0);
    const running = jobs.filter((j) => j.state === 'RUNNING');
    const bad = sum(jobs, (j) => (j.counts.failed || 0) + (j.counts.dead || 0));
    const rate = this.rateHist[this.rateHist.length - 1] || 0;
    render(root, [
      tile('Running jobs', running.length, `${num(jobs.length)} listed`, running.length ? 't-blue' : ''),
      tile('Throughput', html`${rateNum(rate)}<small> tasks/s</small>`, sparkline(this.rateHist)),
      tile('Pending backlog', sum(jobs, (j) => j.counts.pending), `${num(sum(running, (j) => j.counts.running))} running`),
      tile('Failed + dead', bad, `tasks across ${num(jobs.length)} jobs`, bad ? 't-red' : ''),
      tile('Workers', workers ? live(workers).length : '—', workers ? `${num(sum(live(workers), (w) => w.busy))} / ${num(sum(live(workers), (w) => w.slots))} slots busy` : 'unavailable'),
      tile('Spend', html`${cost(sum(jobs, (j) => (j.usage || {}).cost_usd))}`, `estimated, listed jobs`),
    ]);
    render(document.getElementById('state-filter'), STATES.map((s) => html`<button type="button" data-action="filter" data-state="${s}"
      class="${this.filter.state === s ? 'on' : ''}">${lc(s)} <span>${num(s === 'ALL' ? jobs.length : jobs.filter((j) => j.state === s).length)}</span></button>`));
    const q = this.filter.q.trim().toLowerCase();
    const shown = jobs.filter((j) => (this.filter.state === 'ALL' || j.state === this.filter.state) &&
      (!q || [j.job_id, j.function, j.source, ...Object.entries(j.labels || {}).map((e) => e.join('='))].join(' ').toLowerCase().includes(q)));
    render(document.querySelector('#jobs tbody'), shown.length ? shown.map((j) => this.row(j))
      : emptyRow(9, jobs.length ? 'No jobs match this filter.' : 'No jobs yet. Submitted jobs appear here as soon as the coordinator accepts them.'));
  },
  row(j) {
    const c = j.counts || {}, href = '#/jobs/' + encodeURIComponent(j.job_id);
    return html`<tr data-key="${j.job_id}" data-job-id="${j.job_id}" data-href="${href}">
      <td><a class="mono id" href="${href}">${j.job_id}</a><div class="chips">${labelChips(j.labels)}</div></td>
      <td><div class="mono">${j.function}</div><div class="sub mono" title="${j.source}">${j.source}</div></td>
      <td>${badge(j.state)}</td>
      <td><div class="bar-cell">${bar(j)}<span class="pct">${j.total_known === false ? '?' : pct(shownProgress(j))}</span></div></td>
      <td class="num">${num(doneOf(c))} <span class="muted">/ ${totalText(j)}</span></td>
      <td class="num">${rateText(j.rate)}</td>
      <td class="num">${j.eta_seconds == null ? html`<span class="muted">—</span>` : dur(j.eta_seconds)}</td>
      <td>${when(j.created_at)}</td>
      <td class="num">${cost((j.usage || {}).cost_usd)}</td></tr>`;
  },
};

/* ---------- job page ---------- */
const COUNTS = ['pending', 'running', 'leased', 'succeeded', 'failed', 'dead', 'cancelled', 'total'];
let chartGeom = null, chartMouse = null; // last drawn chart geometry, for the hover tooltip
const jobView = {
  title: (r) => 'fanout — job ' + r.id,
  mount(root, r) {
    if (this.id !== r.id) { this.id = r.id; this.start = 0; }
    root.innerHTML = `<div id="job-missing" hidden></div><div id="job-body">
      <div id="job-head" class="job-head"></div>
      <section class="tiles counts" id="job-counts"></section>
      <section class="tiles" id="job-stats"></section>
      <section class="split">
        <div class="panel"><div class="panel-head"><h2>Throughput</h2><span class="muted" id="tp-caption"></span></div>
          <div class="chart" id="throughput"><div class="chart-svg"></div><div class="chart-guide" hidden></div><div class="chart-tip" hidden></div></div></div>
        <div class="panel" id="job-config"></div></section>
      <section class="panel"><div class="panel-head"><h2>Failures</h2><span class="muted" id="fail-caption"></span></div>
        <div class="table-wrap"><table id="failures" class="grid"><thead><tr><th class="num">Task</th><th>Item</th><th>State</th>
          <th>Code</th><th>Message</th><th class="num">Attempts</th></tr></thead><tbody></tbody></table></div></section>
      <section class="panel"><div class="panel-head"><h2>Tasks</h2><div class="pager" id="task-pager"></div></div>
        <div class="table-wrap"><table id="tasks" class="grid"><thead><tr><th class="num">#</th><th>State</th><th class="num">Attempt</th>
          <th>Progress</th><th>Worker</th><th class="num">Cont.</th><th class="num">Items</th><th>First item</th><th>Error</th><th>Logs</th></tr></thead>
          <tbody></tbody></table></div></section></div>`;
    const ch = root.querySelector('#throughput');
    ch.addEventListener('mousemove', (e) => { chartMouse = e.clientX - ch.getBoundingClientRect().left; hover(); });
    ch.addEventListener('mouseleave', () => { chartMouse = null; hover(); });
  },
  async refresh(r) {
    const id = encodeURIComponent(r.id);
    const [jr, tr] = await Promise.allSettled([api('/api/jobs/' + id), api(`/api/jobs/${id}/tasks?start=${this.start}&limit=100`)]);
    if (r !== route) return;
    const missing = jr.status === 'rejected' && jr.reason.status === 404;
    if (jr.status === 'rejected' && !missing) throw jr.reason;
    if (tr.status === 'rejected' && !missing) throw tr.reason;
    document.getElementById('job-body').hidden = missing;
    const miss = document.getElementById('job-missing');
    miss.hidden = !missing;
    if (missing) return render(miss, html`<div class="empty big-empty"><h2>Job not found</h2><p>The coordinator has no job
      <code>${r.id}</code>. It may have been removed by retention.</p><p><a href="#/">← Back to jobs</a></p></div>`);
    this.draw(jr.value, tr.value);
  },
  action(name) {
    if (name === 'prev') this.start = Math.max(0, this.start - 100);
    else if (name === 'next' && this.nextStart != null) this.start = this.nextStart;
    else return;
    kick();
  },
  draw(d, t) {
    const j = d.job, c = j.counts || {}, u = j.usage || {}, ended = j.state !== 'RUNNING';
    const elapsed = ((j.finished_at ? Date.parse(j.finished_at) : nowMs()) - Date.parse(j.created_at)) / 1000;
    render(document.getElementById('job-head'), html`<a class="back" href="#/">← Jobs</a>
      <div class="title-row"><h1 class="mono">${j.job_id}</h1>${badge(j.state)}<div class="chips">${labelChips(j.labels)}</div></div>
      <div class="meta"><span><b>function</b> <span class="mono">${j.function}</span></span><span><b>source</b> <span class="mono">${j.source}</span></span>
        <span><b>created</b> ${when(j.created_at)}</span>${j.finished_at ? html`<span><b>finished</b> ${when(j.finished_at)}</span>` : ''}
        <span><b>${ended ? 'took' : 'running for'}</b> ${dur(elapsed)}</span></div>
      ${j.message ? html`<div class="callout s-${lc(j.state)}">${j.message}</div>` : ''}
      <div class="bar-cell big">${bar(j, 'job-progress')}<span class="pct">${pct(shownProgress(j))}</span></div>
      <div class="caption">${num(doneOf(c) - (c.cancelled || 0))} of ${totalText(j)} tasks finished${c.cancelled ? ` · ${num(c.cancelled)} cancelled` : ''}${j.total_known === false ? ' · source still being listed, total may grow' : ''}
        · ${num(j.items_total)} items</div>`);
    render(document.getElementById('job-counts'), COUNTS.map((k) =>
      // "running": handlers running now; "leased": those and the tasks queued at workers.
      tile(html`<i class="dot d-${k === 'leased' ? 'running' : k}"></i>${k}`, c[k] || 0,
        k === 'total' && j.total_known === false ? 'listing…' : k === 'running' ? 'handlers now' : k === 'leased' ? 'running or queued at workers' : '', `c-${k}`, 'count-' + k)));
    render(document.getElementById('job-stats'), [
      tile('Rate', ended && !j.rate ? '—' : html`${rateNum(j.rate)}<small> tasks/s</small>`, 'last ~30 s'),
      tile('ETA', j.eta_seconds == null ? '—' : dur(j.eta_seconds), ended ? 'job ended' : j.eta_seconds == null ? 'not enough data yet' : 'at current rate'),
      tile('Requests', u.requests || 0, 'worker invocations'),
      tile('Compute', html`${fixed(u.gb_seconds || 0, 2)}<small> GB·s</small>`, ''),
      tile('Estimated cost', cost(u.cost_usd), 'at configured pricing'),
    ]);
    const tp = d.throughput || [], last = tp[tp.length - 1];
    document.getElementById('tp-caption').textContent = last ? `${num(last.finished)} finished · samples every ~1 s` : '';
    const ch = document.getElementById('throughput');
    render(ch.firstElementChild, chart(tp, ch.clientWidth));
    hover();
    this.drawConfig(j);
    const f = d.failures || [];
    document.getElementById('fail-caption').textContent = f.length ? `${num(f.length)}${d.failures_truncated ? `+ (showing first ${f.length})` : ''}` : '';
    render(document.querySelector('#failures tbody'), f.length ? f.map((x) => html`<tr data-key="${x.task}">
      <td class="num mono">${x.task}</td><td><code class="clip" title="${x.item}">${x.item}</code></td><td>${badge(x.state)}</td>
      <td class="mono">${x.code}</td><td><span class="clip msg" title="${x.message}">${x.message}</span></td><td class="num">${x.attempts}</td></tr>`)
      : emptyRow(6, 'No failures'));
    const tasks = t.tasks || [];
    this.nextStart = t.next_start;
    render(document.getElementById('task-pager'), html`<span class="muted">${tasks.length ? `${num(this.start + 1)}–${num(this.start + tasks.length)}` : '0'} of ${num(t.total)}</span>
      <button type="button" data-action="prev"${this.start > 0 ? '' : html` disabled`}>‹ Prev</button>
      <button type="button" data-action="next"${t.next_start == null ? html` disabled` : ''}>Next ›</button>`);
    render(document.querySelector('#tasks tbody'), tasks.length ? tasks.map((k) => html`<tr data-key="${k.index}">
      <td class="num mono">${k.index}</td><td>${badge(k.state)}</td><td class="num">${k.attempt}</td>
      <td>${mini(k.state === 'SUCCEEDED' ? 1 : k.progress, 's-' + lc(k.state))}</td>
      <td class="mono sub">${k.worker_id || '—'}</td><td class="num">${k.continuations || 0}</td><td class="num">${num(k.items)}</td>
      <td><code class="clip" title="${k.item_preview}">${k.item_preview}</code></td>
      <td>${k.error ? html`<span class="clip msg err" title="${k.error.code}: ${k.error.message}"><b>${k.error.code}</b> ${k.error.message}</span>` : ''}</td>
      <td>${k.logs ? html`<details class="logs"><summary>${num(k.logs.split('\n').filter((l) => l).length)} lines</summary><pre>${k.logs}</pre></details>` : ''}</td></tr>`)
      : emptyRow(10, 'No tasks yet.'));
  },
  drawConfig(j) {
    const o = j.options || {}, fi = j.fan_in || {};
    let params = j.params_json || '';
    try { params = JSON.stringify(JSON.parse(params), null, 2); } catch (_) { /* show as sent */ }
    const kv = (k, v) => html`<dt>${k}</dt><dd>${v}</dd>`;
    render(document.getElementById('job-config'), html`<div class="panel-head"><h2>Configuration</h2></div><dl class="kv">
      ${kv('batch size', num(o.batch_size))}${kv('max attempts', num(o.max_attempts))}${kv('timeout', o.timeout_seconds ? dur(o.timeout_seconds) : '—')}
      ${kv('max concurrency', o.max_concurrency ? num(o.max_concurrency) : 'unlimited')}${kv('memory', o.memory_mb ? num(o.memory_mb) + ' MB' : '—')}
      ${j.results ? kv('results', html`<span class="mono">${j.results}</span>`) : ''}${j.reduce ? kv('reduce', html`<span class="mono">${j.reduce}</span>`) : ''}
      ${fi.state && fi.state !== 'NONE' ? kv('fan-in', html`${badge(fi.state)} <span class="mono">${fi.manifest || ''}</span>${fi.error ? html`<div class="err">${fi.error}</div>` : ''}`) : ''}
      </dl>${params && params !== '{}' ? html`<details class="params"><summary>params</summary><pre>${params.slice(0, 20000)}</pre></details>` : ''}`);
  },
};

/* ---------- throughput chart (inline SVG) ---------- */
function niceStep(v) { // smallest 1/2/2.5/5 x 10^n >= v
  const e = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * e).find((s) => s >= v);
}
function chart(pts, width) {
  chartGeom = null;
  if (pts.length < 2) return html`<div class="empty chart-empty">Waiting for throughput samples…</div>`;
  const W = Math.max(300, width || 600), H = 240, L = 52, R = 14, T = 22, B = 26; // T/B mirrored in .chart-guide
  const t0 = pts[0].t, t1 = pts[pts.length - 1].t, span = Math.max(1e-6, t1 - t0);
  const top = Math.max(...pts.map((p) => p.rate || 0)) || 1, step = niceStep(top / 4), ymax = step * Math.ceil(top / step);
  const x = (t) => L + (W - L - R) * (t - t0) / span, y = (v) => T + (H - T - B) * (1 - v / ymax);
  const line = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.rate || 0).toFixed(1)}`).join('');
  const area = `${line}L${x(t1).toFixed(1)},${y(0)}L${L},${y(0)}Z`;
  const yt = [], xt = [];
  for (let v = 0; v <= ymax + step / 2; v += step) yt.push(v);
  for (let i = 0; i <= 4; i++) xt.push(t0 + span * i / 4);
  const yl = (v) => step < 1 ? fixed(v, step < 0.1 ? 2 : 1) : num(v);
  chartGeom = { pts, x, y, W };
  return html`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="tasks per second over time">
    <defs><linearGradient id="tp-fill" x1="0" y1="0" x2="0" y2="1"><stop class="g0" offset="0"/><stop class="g1" offset="1"/></linearGradient></defs>
    ${yt.map((v) => html`<line class="grid-line" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}"/><text class="axis" x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${yl(v)}</text>`)}
    ${xt.map((t, i) => html`<text class="axis" x="${x(t)}" y="${H - 6}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}">${clock(new Date(t * 1000), span < 600)}</text>`)}
    <text class="axis unit" x="${L}" y="10">tasks/s</text>
    <path class="area" d="${area}"/><path class="line" d="${line}"/></svg>`;
}
function hover() { // tooltip + guide line for the nearest sample to the mouse
  const ch = document.getElementById('throughput');
  if (!ch) return;
  const [, guide, tip] = ch.children;
  if (!chartGeom || chartMouse == null) { guide.hidden = tip.hidden = true; return; }
  const { pts, x, y, W } = chartGeom;
  const p = pts.reduce((a, b) => Math.abs(x(b.t) - chartMouse) < Math.abs(x(a.t) - chartMouse) ? b : a);
  const px = x(p.t);
  guide.hidden = tip.hidden = false;
  guide.style.left = px + 'px';
  guide.style.setProperty('--dot-y', y(p.rate || 0) + 'px');
  render(tip, html`<div class="mono">${clock(new Date(p.t * 1000))}</div><b>${fixed(p.rate || 0, 1)}</b> tasks/s<div class="muted">${num(p.finished)} finished</div>`);
  tip.style.left = Math.min(px + 12, W - tip.offsetWidth - 4) + 'px';
}

/* ---------- workers ---------- */
const live = (ws) => ws.filter((w) => !w.gone);
const workersView = {
  title: () => 'fanout — workers',
  mount(root) {
    root.innerHTML = `<section class="tiles" id="worker-tiles"></section><section class="panel"><div class="panel-head"><h2>Workers</h2></div>
      <div class="table-wrap"><table id="workers" class="grid"><thead><tr><th>Worker</th><th>Host</th><th>Slots busy</th>
      <th class="num">Leases</th><th>Started</th><th>Last heartbeat</th></tr></thead><tbody></tbody></table></div></section>`;
  },
  async refresh(r) {
    const d = await api('/api/workers');
    if (r !== route) return;
    const ws = (d.workers || []).slice().sort((a, b) => String(a.worker_id).localeCompare(String(b.worker_id)));
    // Totals count live workers only (as `fanout workers` and fanout_workers do); gone ones are listed, greyed.
    const up = live(ws), sum = (f) => up.reduce((a, w) => a + (w[f] || 0), 0), slots = sum('slots'), busy = sum('busy');
    const gone = ws.length - up.length;
    render(document.getElementById('worker-tiles'), [
      tile('Workers', up.length, gone ? `${gone} gone (stopped or silent past the lease TTL)` : 'all heartbeating', gone ? 't-red' : ''),
      tile('Slots busy', html`${num(busy)}<small> / ${num(slots)}</small>`, mini(slots ? busy / slots : 0, 's-leased')),
      tile('Utilisation', slots ? pct(busy / slots) : '—', 'busy slots / total'),
      tile('Leases', sum('leases'), 'tasks currently leased'),
    ]);
    render(document.querySelector('#workers tbody'), ws.length ? ws.map((w) => {
      const s = Number(w.seconds_since_seen) || 0, hb = w.gone ? 'hb-bad' : s > 5 ? 'hb-warn' : 'hb-ok';
      return html`<tr data-key="${w.worker_id}" class="${w.gone ? 'gone' : ''}"><td><span class="hb-dot ${hb}"></span><span class="mono">${w.worker_id}</span>${w.gone ? ' (gone)' : ''}</td>
        <td class="mono">${w.host}</td><td><div class="bar-cell">${mini(w.slots ? w.busy / w.slots : 0, 's-leased')}<span class="pct">${num(w.busy)} / ${num(w.slots)}</span></div></td>
        <td class="num">${num(w.leases)}</td><td>${when(w.started_at)}</td>
        <td class="${hb}" title="${w.last_seen || ''}">${s < 60 ? fixed(s, 1) + ' s ago' : dur(s) + ' ago'}</td></tr>`;
    }) : emptyRow(6, 'No workers connected. Start a worker pointed at this coordinator and it will appear here.'));
  },
};

/* ---------- routing & refresh loop ---------- */
const $view = document.getElementById('view'), $live = document.getElementById('live');
let route = null, timer = 0, inflight = false, again = false, paused = false, lastOk = null, lastErr = null;
function parseRoute() {
  const h = location.hash.replace(/^#/, '') || '/';
  const m = h.match(/^\/jobs\/(.+)$/);
  if (m) { try { return { view: jobView, id: decodeURIComponent(m[1]) }; } catch (_) { return { view: jobView, id: m[1] }; } }
  return { view: h === '/workers' ? workersView : jobsView };
}
function navigate() {
  route = parseRoute();
  document.title = route.view.title(route);
  document.querySelectorAll('[data-nav]').forEach((a) =>
    a.classList.toggle('active', a.dataset.nav === (route.view === workersView ? 'workers' : 'jobs')));
  chartGeom = chartMouse = null;
  route.view.mount($view, route);
  window.scrollTo(0, 0);
  kick();
}
// One request chain at a time: a refresh requested while one is in flight runs
// right after it instead of overlapping it.
function kick() { clearTimeout(timer); if (inflight) again = true; else tick(); }
async function tick() {
  inflight = true;
  const r = route;
  try { await r.view.refresh(r); lastOk = new Date(); lastErr = null; } catch (e) { if (r === route) lastErr = e; }
  inflight = false;
  showStatus();
  if (again) { again = false; tick(); } else if (!paused) timer = setTimeout(tick, 1000);
}
function showStatus() {
  document.getElementById('error-banner').hidden = !lastErr;
  document.getElementById('error-detail').textContent = lastErr ? String(lastErr.message || lastErr) : '';
  $live.className = 'live' + (paused ? ' paused' : lastErr ? ' down' : '');
  const t = lastOk ? clock(lastOk) : '—';
  document.getElementById('live-text').textContent = paused ? `paused · ${t}` : lastErr ? `last ok ${t}` : `live · ${t}`;
}
$live.addEventListener('click', () => { paused = !paused; if (paused) clearTimeout(timer); else kick(); showStatus(); });
$view.addEventListener('click', (e) => {
  const act = e.target.closest('[data-action]');
  if (act) { if (!act.disabled && route.view.action) route.view.action(act.dataset.action, act); return; }
  const row = e.target.closest('tr[data-href]'); // whole row navigates, unless the user is selecting text
  if (row && !e.target.closest('a') && !String(window.getSelection())) location.hash = row.dataset.href;
});
document.addEventListener('keydown', (e) => {
  const s = document.getElementById('job-search');
  if (e.key === '/' && s && document.activeElement !== s) { e.preventDefault(); s.focus(); }
});
window.addEventListener('hashchange', navigate);
navigate();
