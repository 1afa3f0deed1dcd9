/// The page, script and stylesheet, embedded so the view needs no file and fetches nothing from the
/// network. The script is plain ES2017 with no library; the page routes on its `#` fragment, so the
/// token stays in the query string while one moves between pages.
enum UIAssets {
    static let indexHTML = """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
    <title>PleinAir</title><link rel="stylesheet" href="/app.css?token={{TOKEN}}"></head>
    <body><header><a href="#/" id="home">PleinAir</a><span id="crumbs"></span><span id="live"></span></header>
    <main id="main">Loading…</main>
    <script src="/app.js?token={{TOKEN}}"></script></body></html>
    """

    static let stylesheet = """
    body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
    header { background: #2d3e50; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: baseline; }
    header a { color: #fff; font-weight: 600; text-decoration: none; }
    #crumbs a { font-weight: normal; margin-right: 8px; }
    #live { margin-left: auto; font-size: 12px; opacity: .8; }
    #live.down { color: #f99; }
    main { padding: 12px 16px; }
    h2 { font-size: 18px; margin: 16px 0 8px; }
    table { border-collapse: collapse; margin: 6px 0 12px; background: #fff; }
    th, td { border: 1px solid #ddd; padding: 3px 8px; font-size: 13px; text-align: left; vertical-align: top; }
    th { background: #f0f0f0; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    code, .hash { font-family: ui-monospace, monospace; font-size: 12px; }
    pre#log { background: #111; color: #ddd; padding: 8px; max-height: 360px; overflow: auto; font-size: 12px; }
    nav.tabs a, nav.tabs strong { margin-right: 12px; }
    .state { padding: 1px 6px; border-radius: 8px; font-size: 12px; }
    svg.dag { background: #fff; border: 1px solid #ddd; }
    svg.dag g.node { cursor: pointer; }
    svg.dag rect { stroke: #555; stroke-width: 1; rx: 6; }
    svg.dag text { font-size: 12px; }
    svg.dag text.sub { font-size: 10px; fill: #444; }
    svg.dag path { fill: none; stroke: #999; }
    .cached { fill: #dbe9f6; background: #dbe9f6; } .waiting { fill: #eee; background: #eee; }
    .running { fill: #ffe39b; background: #ffe39b; } .done { fill: #c9ecc3; background: #c9ecc3; }
    .failed, .interrupted { fill: #f6c3c0; background: #f6c3c0; } .skipped { fill: #ddd; background: #ddd; }
    .charts { display: flex; flex-wrap: wrap; gap: 8px; }
    .charts figure { margin: 0; background: #fff; border: 1px solid #ddd; }
    table.images td { text-align: center; }
    table.images img { width: 160px; height: auto; image-rendering: auto; }
    table.compare td { text-align: center; } table.compare img { width: 160px; height: auto; display: block; margin: auto; }
    table.compare .scores { font-size: 11px; color: #444; font-variant-numeric: tabular-nums; }
    pre.snippet { background: #fff; border: 1px solid #ddd; padding: 8px; font-size: 12px; }
    .error { color: #a00; }
    h3 { font-size: 15px; margin: 12px 0 4px; }
    p.legend { font-size: 12px; color: #555; margin: 2px 0; }
    span.interval { font-variant-numeric: tabular-nums; white-space: nowrap; }
    ul#comparisons { font-size: 13px; padding-left: 20px; }
    strong.verdict { padding: 0 4px; border-radius: 4px; background: #eef; }
    """

    static let javascript = #"""
    'use strict';
    const token = new URLSearchParams(location.search).get('token') || '';
    const url = (path, params = {}) => { const u = new URLSearchParams(params); u.set('token', token); return path + '?' + u; };
    async function get(path, params) {
      const r = await fetch(url(path, params));
      if (!r.ok) throw new Error(r.status + ': ' + (await r.text()));
      return r.json();
    }
    function el(tag, attrs = {}, ...children) {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) { if (k === 'class') e.className = v; else e.setAttribute(k, v); }
      for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
      return e;
    }
    const NS = 'http://www.w3.org/2000/svg';
    function sv(tag, attrs = {}, text) {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text != null) e.textContent = text;
      return e;
    }
    const link = (hash, text) => el('a', { href: '#' + hash }, text);
    const when = t => t ? new Date(t * 1000).toLocaleString() : '';
    function duration(s) {
      if (s == null || !isFinite(s)) return '';
      if (s < 60) return s.toFixed(1) + ' s';
      if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
      return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
    }
    const short = h => h ? h.slice(0, 12) + '…' : '';
    const main = () => document.getElementById('main');
    function crumbs(...items) { const c = document.getElementById('crumbs'); c.replaceChildren(...items); }
    function table(header, rows) {
      return el('table', {}, el('tr', {}, ...header.map(h => el('th', {}, h))),
        ...rows.map(r => el('tr', {}, ...r.map(c => c instanceof Node ? el('td', {}, c) : el('td', typeof c === 'number' ? { class: 'num' } : {}, c)))));
    }
    let timer = null, generation = 0;
    function poll(fn, ms) {
      const mine = ++generation;
      const tick = async () => {
        if (mine !== generation) return;
        const live = document.getElementById('live');
        try { const again = await fn(); live.textContent = 'updated ' + new Date().toLocaleTimeString(); live.className = '';
              if (again !== false && mine === generation) timer = setTimeout(tick, ms); }
        catch (e) { live.textContent = String(e.message || e); live.className = 'down'; if (mine === generation) timer = setTimeout(tick, ms * 2); }
      };
      clearTimeout(timer); tick();
    }
    function tabs(run, current) {
      return el('nav', { class: 'tabs' }, ...[['run', 'DAG'], ['metrics', 'Metrics'], ['images', 'Images'], ['compare', 'Compare']].map(([p, t]) =>
        p === current ? el('strong', {}, t) : link('/' + p + '/' + run, t)), ' ');
    }

    async function homePage() {
      crumbs();
      poll(async () => {
        const experiments = await get('/api/experiments');
        const body = [el('h2', {}, 'Experiments')];
        if (!experiments.length) body.push(el('p', {}, 'No runs recorded yet.'));
        for (const x of experiments) {
          body.push(el('h2', {}, x.name));
          body.push(table(['run', 'status', 'started', 'took', 'ran', 'cached', 'failed', 'running'], x.runs.map(r => [
            link('/run/' + r.id, 'run ' + r.id), el('span', { class: 'state ' + (r.status === 'running' ? 'running' : r.status === 'succeeded' ? 'done' : 'failed') }, r.status),
            when(r.startedAt), duration((r.finishedAt || Date.now() / 1000) - r.startedAt), r.ran, r.cached, r.failed, r.running])));
        }
        main().replaceChildren(...body);
      }, 2000);
    }

    function label(node, now) {
      if (node.state === 'running') {
        const elapsed = now - node.startedAt;
        if (node.progress != null) return Math.round(node.progress * 100) + '% ' + (node.progressMessage || duration(elapsed));
        const eta = node.typicalSeconds != null ? ', ETA ' + duration(Math.max(0, node.typicalSeconds - elapsed)) : '';
        return 'running ' + duration(elapsed) + eta;
      }
      if (node.state === 'done' && node.finishedAt) return 'done in ' + duration(node.finishedAt - node.startedAt);
      return node.state;
    }
    async function runPage(run) {
      crumbs(link('/run/' + run, 'run ' + run));
      let shape = '';
      poll(async () => {
        const g = await get('/api/run', { run });
        const key = g.nodes.map(n => n.id).join('\n') + '|' + g.edges.length;
        if (key !== shape) {
          shape = key;
          const svg = sv('svg', { class: 'dag', id: 'dag', width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}` });
          const at = Object.fromEntries(g.nodes.map(n => [n.id, n]));
          for (const e of g.edges) {
            const a = at[e.from], b = at[e.to];
            if (!a || !b) continue;
            const x0 = a.x + g.nodeWidth, y0 = a.y + g.nodeHeight / 2, x1 = b.x, y1 = b.y + g.nodeHeight / 2, m = (x0 + x1) / 2;
            const p = sv('path', { d: `M${x0},${y0} C${m},${y0} ${m},${y1} ${x1},${y1}` });
            p.append(sv('title', {}, e.label));
            svg.append(p);
          }
          for (const n of g.nodes) {
            const node = sv('g', { class: 'node', id: 'node-' + n.id, 'data-state': n.state });
            node.append(sv('rect', { x: n.x, y: n.y, width: g.nodeWidth, height: g.nodeHeight, class: n.state }));
            node.append(sv('text', { x: n.x + 8, y: n.y + 17 }, n.id));
            node.append(sv('text', { x: n.x + 8, y: n.y + 34, class: 'sub' }, n.kind));
            node.addEventListener('click', () => { location.hash = '/stage/' + run + '/' + encodeURIComponent(n.id); });
            svg.append(node);
          }
          main().replaceChildren(tabs(run, 'run'), el('h2', { id: 'run-title' }), el('p', { id: 'run-counts' }), svg,
            el('p', {}, 'Colours: ', ...['cached', 'waiting', 'running', 'done', 'failed', 'skipped'].map(s => el('span', { class: 'state ' + s }, s)), ' ',
              el('span', { id: 'run-note' })));
        }
        document.getElementById('run-title').textContent = `${g.run.experiment} · run ${run} · ${g.run.status}`;
        document.getElementById('run-counts').textContent =
          `${g.run.ran} ran, ${g.run.cached} cached, ${g.run.failed} failed, ${g.run.running} running; started ${when(g.run.startedAt)}`;
        for (const n of g.nodes) {
          const node = document.getElementById('node-' + n.id);
          if (!node) continue;
          node.setAttribute('data-state', n.state);
          node.querySelector('rect').setAttribute('class', n.state);
          node.querySelector('text.sub').textContent = n.kind + ' · ' + label(n, g.now);
        }
        return g.run.status === 'running' || g.nodes.some(n => n.state === 'running');
      }, 1000);
    }

    async function stagePage(run, stage) {
      crumbs(link('/run/' + run, 'run ' + run), link('/stage/' + run + '/' + encodeURIComponent(stage), stage));
      poll(async () => {
        const s = await get('/api/stage', { run, stage });
        const stageLink = id => link('/stage/' + run + '/' + encodeURIComponent(id), id);
        const body = [tabs(run, ''), el('h2', {}, `${s.stage} (${s.kind}) `, el('span', { class: 'state ' + s.state, id: 'stage-state' }, s.state)),
          el('p', {}, 'fingerprint ', el('code', {}, s.fingerprint || '(not yet)')),
          el('p', { id: 'reason' }, 'why it ran: ' + (s.reason || '–'))];
        const params = table(['name', 'value'], Object.keys(s.params).sort().map(k => [k, el('code', {}, s.params[k])]));
        params.id = 'params';
        body.push(el('h2', {}, 'Params'), params);
        body.push(el('h2', {}, 'Inputs'), table(['name', 'hash', 'what', 'from'], s.inputs.map(i => [i.name, el('code', { title: i.hash }, short(i.hash)), i.detail || '', i.stage ? stageLink(i.stage) : ''])));
        body.push(el('h2', {}, 'Outputs'), table(['name', 'hash', 'type'], s.outputs.map(o => [o.name, el('code', { title: o.hash }, short(o.hash)), o.detail || ''])));
        body.push(el('h2', {}, 'Lineage'), el('p', { id: 'lineage' }, 'upstream: ', ...s.upstream.flatMap(u => [stageLink(u), ' ']),
          ' · downstream: ', ...s.downstream.flatMap(d => [stageLink(d), ' '])),
          table(['role', 'name', 'hash'], s.lineage.map(l => [l.detail, l.name, el('code', { title: l.hash }, short(l.hash))])));
        const metricNames = Object.keys(s.metrics).sort();
        if (metricNames.length || s.series.length) {
          body.push(el('h2', {}, 'Metrics'), table(['metric', 'value'], metricNames.map(m => [m, s.metrics[m]]).concat(s.series.map(m => [m, 'series: see Metrics']))));
        }
        body.push(el('h2', {}, 'Executions'), table(['run', 'status', 'reason', 'started', 'took', 'CPU', 'peak RSS', 'host', 'error'],
          s.executions.map(e => [e.run, e.status, e.reason || '', when(e.startedAt), duration(e.seconds), duration(e.cpuSeconds),
            e.peakRSSKB != null ? (e.peakRSSKB / 1024).toFixed(1) + ' MiB' : '', e.host || '', e.error || ''])));
        body.push(el('h2', {}, 'Log ', el('code', {}, s.logPath || '')));
        const pre = el('pre', { id: 'log' }, s.log == null ? '(no log)' : s.log);
        body.push(pre);
        const old = document.getElementById('log'), atBottom = !old || old.scrollTop + old.clientHeight >= old.scrollHeight - 4;
        main().replaceChildren(...body);
        if (atBottom) pre.scrollTop = pre.scrollHeight;
        return s.state === 'running' || s.state === 'waiting';
      }, 2000);
    }

    function replicateSection(v, comparisons) {
      const out = [el('h3', {}, 'Over ' + v.replicates.join(' × ')), el('p', { class: 'legend' }, v.legend)];
      const t = table(v.axes.concat(v.columns), v.rows.map(row => row.values.concat(v.columns.map(c => {
        const cell = row.cells[c];
        return cell ? el('span', { class: 'interval', title: 'n=' + cell.n + (cell.ci_low == null ? '' : ', 95% CI [' + cell.ci_low + ', ' + cell.ci_high + ']') }, cell.text) : '';
      }))));
      t.id = 'replicates';
      out.push(t);
      if (comparisons.length) {
        out.push(el('ul', { id: 'comparisons' }, ...comparisons.map(c => el('li', { 'data-verdict': c.verdict },
          c.line.slice(0, c.line.length - c.verdict.length), el('strong', { class: 'verdict' }, c.verdict)))));
      }
      return out;
    }
    function resultsSection(r, run) {
      const out = [el('h2', {}, 'Results'), ...r.notes.map(n => el('p', {}, n))];
      for (const html of r.papers) { const d = el('div', { class: 'paper' }); d.innerHTML = html; out.push(d); }  // escaped by Report
      if (r.replicates) out.push(...replicateSection(r.replicates, r.comparisons || []));
      const t = table(r.header, r.rows); t.id = 'results';
      out.push(t);
      if (r.shared.length) out.push(table(['metric', 'value'], r.shared));
      if (r.missing.length) out.push(el('p', {}, 'Not computed: ' + r.missing.join(', ')));
      const input = el('input', { id: 'compare', type: 'number', min: 1, value: r.compare || '' });
      input.addEventListener('change', () => { location.hash = '/metrics/' + run + (input.value ? '/' + input.value : ''); });
      out.push(el('p', {}, 'Compare with run ', input, ' (cell by cell here; its curves drawn beside this run\'s below)'));
      return out;
    }
    async function metricsPage(run, compare) {
      crumbs(link('/run/' + run, 'run ' + run));
      poll(async () => {
        const params = compare ? { run, compare } : { run };
        const [m, g, r] = await Promise.all([get('/api/metrics', params), get('/api/run', { run }),
          get('/api/results', params).catch(e => ({ error: String(e.message || e) }))]);
        const charts = el('div', { class: 'charts', id: 'charts' });
        for (const c of m.charts) {
          const f = el('figure', { 'data-metric': c.metric, 'data-points': c.points, 'data-live': c.live });
          f.innerHTML = c.svg;  // drawn by the server (Report's SVGChart), text escaped there
          charts.append(f);
        }
        const scalars = table(['stage', 'metric', 'value'], m.scalars.map(s => [s.stage, s.metric, s.value]));
        scalars.id = 'scalars';
        const results = r.error ? [el('h2', {}, 'Results'), el('p', { class: 'error' }, r.error)] : resultsSection(r, run);
        main().replaceChildren(tabs(run, 'metrics'), ...results, el('h2', {}, 'Series'),
          m.charts.length ? charts : el('p', {}, 'No series recorded yet.'), el('h2', {}, 'Scalars by stage'), scalars);
        return g.run.status === 'running';
      }, 3000);
    }

    async function imagesPage(run, output, offset) {
      crumbs(link('/run/' + run, 'run ' + run));
      clearTimeout(timer); generation++;
      const p = await get('/api/images', { run, output, offset, limit: 24 });
      // Every output name (all stages' folders of that name side by side), then each stage's own folder.
      const choices = [...new Set(p.outputs.map(o => o.slice(o.indexOf('/') + 1)))].concat(p.outputs);
      const select = el('select', { id: 'output' }, ...choices.map(o => {
        const op = el('option', { value: o }, o); if (o === p.output) op.selected = true; return op; }));
      select.addEventListener('change', () => { location.hash = '/images/' + run + '/' + encodeURIComponent(select.value) + '/0'; });
      const rows = p.rows.map(r => [r, ...p.columns.map(c => {
        const path = [c.fingerprint, c.output, ...r.split('/')].map(encodeURIComponent).join('/');
        return el('a', { href: url('/files/' + path), target: '_blank' },
          el('img', { src: url('/thumbs/' + path), loading: 'lazy', alt: c.stage + ' ' + r }));
      })]);
      const grid = table(['file', ...p.columns.map(c => c.stage)], rows);
      grid.className = 'images'; grid.id = 'images';
      const page = (o, t) => link('/images/' + run + '/' + encodeURIComponent(p.output) + '/' + o, t);
      const nav = el('p', {}, `${p.total ? p.offset + 1 : 0}–${p.offset + p.rows.length} of ${p.total} `,
        p.offset > 0 ? page(Math.max(0, p.offset - 24), '← previous') : '', ' ', p.offset + p.rows.length < p.total ? page(p.offset + 24, 'next →') : '');
      main().replaceChildren(tabs(run, 'images'), el('h2', {}, 'Images'), el('p', {}, 'output: ', select), nav, grid);
    }

    async function comparePage(run, group, replicate, offset) {
      crumbs(link('/run/' + run, 'run ' + run));
      clearTimeout(timer); generation++;
      const p = await get('/api/compare', { run, group, replicate, offset, limit: 12 });
      const head = [tabs(run, 'compare'), el('h2', {}, 'Compare: ' + p.experiment)];
      if (!p.declared) {
        main().replaceChildren(...head, el('p', { id: 'no-compare' }, 'This experiment declares no comparison. Add a ',
          el('code', {}, 'compare:'), ' section to its file, beside ', el('code', {}, 'tables:'), ' (it reruns nothing):'),
          el('pre', { class: 'snippet', id: 'snippet' }, p.snippet || ''));
        return;
      }
      const where = (g, r, o) => '/compare/' + [run, g || '-', r || '-', o].map(encodeURIComponent).join('/');
      const go = (g, r, o) => { location.hash = where(g, r, o); };
      const choose = (id, values, current, labels) => {
        const s = el('select', { id }, ...values.map((v, i) => { const o = el('option', { value: v }, labels[i]); if (v === current) o.selected = true; return o; }));
        return s;
      };
      const groupSelect = choose('group', p.groups, p.group, p.groups);
      const reps = p.replicates.length > 1 ? p.replicates.concat(['all']) : p.replicates;
      const repSelect = choose('replicate', reps, p.replicate, reps.map(r => r === 'all' ? 'all ' + p.replicateAxes.join(' × ') + 's' : r));
      groupSelect.addEventListener('change', () => go(groupSelect.value, repSelect.value, 0));
      repSelect.addEventListener('change', () => go(groupSelect.value, repSelect.value, 0));
      const format = v => Math.abs(v) < 2 ? v.toFixed(3) : v.toFixed(2);
      const header = ['#', ...p.columns.map(c => c.label + (c.replicate ? ' · ' + p.replicateAxes.join(',') + ' ' + c.replicate : ''))];
      const rows = p.rows.map(r => [r.name, ...r.cells.map((cell, i) => {
        const column = p.columns[i];
        if (!cell) return el('span', { class: 'missing' }, '–');
        const scores = cell.metrics.length ? el('div', { class: 'scores' }, cell.metrics.map(m => m.name + ' ' + format(m.value)).join(' · ')) : '';
        if (cell.path == null) return el('div', {}, cell.name, scores);
        const path = cell.path.split('/').map(encodeURIComponent).join('/');
        return el('div', { 'data-column': column.label, 'data-stage': column.stage || '' },
          el('a', { href: url('/files/' + path), target: '_blank' }, el('img', { src: url('/thumbs/' + path), loading: 'lazy', alt: column.label + ' ' + r.name })), scores);
      })]);
      const grid = table(header, rows);
      grid.className = 'compare'; grid.id = 'compare';
      const page = (o, t) => link(where(p.group, p.replicate, o), t);
      const nav = el('p', {}, `${p.total ? p.offset + 1 : 0}–${p.offset + p.rows.length} of ${p.total} `,
        p.offset > 0 ? page(Math.max(0, p.offset - 12), '← previous') : '', ' ', p.offset + p.rows.length < p.total ? page(p.offset + 12, 'next →') : '');
      const pickers = el('p', {});
      if (p.groupAxes.length) pickers.append(p.groupAxes.join(' × ') + ': ', groupSelect, ' ');
      if (p.replicateAxes.length) pickers.append(p.replicateAxes.join(' × ') + ': ', repSelect);
      main().replaceChildren(...head, pickers,
        ...p.notes.map(n => el('p', { class: 'legend' }, n)), nav, grid, el('p', { class: 'legend' }, 'Click an image for its full size.'));
    }

    function route() {
      const parts = (location.hash.slice(1) || '/').split('/').filter(Boolean).map(decodeURIComponent);
      clearTimeout(timer); generation++;
      const fail = e => { main().replaceChildren(el('p', { class: 'error' }, String(e.message || e))); };
      if (parts[0] === 'run' && parts.length === 2) return runPage(+parts[1]);
      if (parts[0] === 'stage' && parts.length === 3) return stagePage(+parts[1], parts[2]);
      if (parts[0] === 'metrics' && parts.length >= 2) return metricsPage(+parts[1], parts[2] ? +parts[2] : null);
      if (parts[0] === 'compare' && parts.length >= 2) { const v = x => x && x !== '-' ? x : ''; return comparePage(+parts[1], v(parts[2]), v(parts[3]), +(parts[4] || 0)).catch(fail); }
      if (parts[0] === 'images' && parts.length >= 2) return imagesPage(+parts[1], parts[2] || '', +(parts[3] || 0)).catch(fail);
      return homePage();
    }
    window.addEventListener('hashchange', route);
    route();
    """#
}
