// The live page: polls both instances and the database (through A's demo-only admin endpoint)
// and shows, per watched product, what each instance serves and whether B is behind the
// database; the chart plots how long B has been behind. Plain JS, no dependencies.
(function () {
  'use strict';

  const POLL_MS = 250;
  const STATUS_MS = 1000;
  const WINDOW_MS = 60000;
  const POLL_ALLOWANCE_MS = 1000; // "one poll" on top of the interval, as the scenario's bound

  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token') || '';
  const watched = (new URLSearchParams(location.search).get('watch') || '1,2,3,4,5')
    .split(',').map(s => parseInt(s, 10)).filter(n => n > 0).slice(0, 20);

  let a = null;
  let b = null;
  let bound = null;
  const staleSince = {};        // product id -> time B was first seen behind the database
  const samples = [];           // [time, staleness ms]

  const $ = id => document.getElementById(id);

  function say(text, isError) {
    const m = $('message');
    m.textContent = text;
    m.className = isError ? 'error' : '';
  }

  async function call(base, path, options) {
    const init = Object.assign({ headers: {} }, options || {});
    if (path.startsWith('/admin/')) {
      init.headers['Authorization'] = 'Bearer ' + token;
    }
    if (init.body) {
      init.headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(base + path, init);
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
    return { status: response.status, body: body, headers: response.headers };
  }

  function errorText(r) {
    if (r.body && r.body.error) {
      const fields = (r.body.fields || []).map(f => f.field + ' ' + f.message).join('; ');
      return r.status + ': ' + r.body.error + (fields ? ' (' + fields + ')' : '');
    }
    return 'HTTP ' + r.status;
  }

  function selected() {
    return parseInt($('product').value, 10);
  }

  function rowFor(id) {
    let row = $('row-' + id);
    if (!row) {
      row = document.createElement('tr');
      row.id = 'row-' + id;
      row.dataset.staleEpisodes = '0';
      row.dataset.lastStaleMs = '0';
      row.innerHTML = '<td>' + id + '</td><td id="db-' + id + '"></td><td id="a-' + id
        + '"></td><td id="b-' + id + '"><span id="b-version-' + id + '"></span></td>'
        + '<td id="b-state-' + id + '"></td>';
      document.querySelector('#products tbody').appendChild(row);
    }
    return row;
  }

  function show(cell, r) {
    if (r.status === 404) {
      return 'deleted';
    }
    if (r.status !== 200) {
      return errorText(r);
    }
    const tier = r.headers.get('Served-From') || '?';
    return 'v' + r.body.version + ' · ' + (r.body.priceCents / 100).toFixed(2) + ' '
      + r.body.currency + ' <span class="tier">' + tier + '</span>';
  }

  let polling = false;

  async function poll() {
    if (polling) {
      return; // the previous poll is still waiting for an answer
    }
    polling = true;
    try {
      const [truth, fromA, fromB] = await Promise.all([
        call(a, '/admin/db/products?ids=' + watched.join(',')),
        Promise.all(watched.map(id => call(a, '/products/' + id))),
        Promise.all(watched.map(id => call(b, '/products/' + id)))]);
      if (truth.status !== 200) {
        say('cannot read the database through ' + a + ': ' + errorText(truth)
          + (truth.status === 401 ? ' — open the URL the demo printed (it carries the token)' : ''),
          true);
        return;
      }
      const now = Date.now();
      let worst = 0;
      truth.body.forEach((row, i) => {
        const id = row.id;
        rowFor(id);
        $('db-' + id).textContent = row.exists
          ? 'v' + row.version + ' · ' + (row.priceCents / 100).toFixed(2) : 'deleted';
        $('a-' + id).innerHTML = show($('a-' + id), fromA[i]);
        const rb = fromB[i];
        $('b-version-' + id).innerHTML = show(null, rb);
        const bVersion = rb.status === 200 ? rb.body.version : (rb.status === 404 ? Infinity : -1);
        const behind = row.exists ? bVersion < row.version : rb.status !== 404;
        const state = $('b-state-' + id);
        const tr = $('row-' + id);
        if (behind) {
          if (!staleSince[id]) {
            staleSince[id] = now;
            // Each time B falls behind on this product counts (and, once over, how long it was).
            tr.dataset.staleEpisodes = parseInt(tr.dataset.staleEpisodes, 10) + 1;
          }
          const ms = now - staleSince[id];
          worst = Math.max(worst, ms);
          state.textContent = 'stale for ' + ms + ' ms';
          state.className = 'stale';
        } else {
          if (staleSince[id]) {
            tr.dataset.lastStaleMs = now - staleSince[id];
          }
          delete staleSince[id];
          state.textContent = 'fresh';
          state.className = 'fresh';
        }
      });
      $('stale-now').textContent = worst + ' ms';
      const peak = Math.max(worst, ...samples.map(x => x[1]), 0);
      $('stale-peak').textContent = peak + ' ms';
      samples.push([now, worst]);
      while (samples.length && samples[0][0] < now - WINDOW_MS) { samples.shift(); }
      draw(now);
    } catch (e) {
      say('polling failed: ' + e, true);
    } finally {
      polling = false;
    }
  }

  async function status() {
    for (const [name, base] of [['a', a], ['b', b]]) {
      try {
        const r = await call(base, '/admin/cache');
        if (r.status !== 200) {
          $(name + '-subscriber').textContent = errorText(r);
          continue;
        }
        const s = r.body.subscriber;
        const cell = $(name + '-subscriber');
        cell.textContent = s.state + (s.chaos !== 'off'
          ? ' (' + s.chaos + ', ' + Math.ceil(s.chaosRemainingMs / 1000) + ' s left)' : '');
        cell.className = 'state-' + s.state;
        $(name + '-polls').textContent = r.body.reconciler.pollsOk + ' every '
          + r.body.reconcileIntervalMs + ' ms';
        $(name + '-lag').textContent = r.body.reconciler.lagMaxMs + ' ms';
        if (name === 'b') {
          bound = r.body.reconcileIntervalMs + POLL_ALLOWANCE_MS;
          $('bound').textContent = bound + ' ms';
        }
      } catch (e) {
        $(name + '-subscriber').textContent = 'unreachable: ' + e;
      }
    }
  }

  function draw(now) {
    const canvas = $('chart');
    const g = canvas.getContext('2d');
    const w = canvas.width;
    const h = canvas.height;
    g.clearRect(0, 0, w, h);
    const top = Math.max(bound || 1000, ...samples.map(s => s[1])) * 1.2;
    const x = t => w - (now - t) / WINDOW_MS * w;
    const y = v => h - v / top * h;
    if (bound) {
      g.setLineDash([6, 4]);
      g.strokeStyle = '#b00020';
      g.beginPath();
      g.moveTo(0, y(bound));
      g.lineTo(w, y(bound));
      g.stroke();
      g.setLineDash([]);
    }
    g.strokeStyle = '#2457a6';
    g.lineWidth = 2;
    g.beginPath();
    samples.forEach((s, i) => (i ? g.lineTo(x(s[0]), y(s[1])) : g.moveTo(x(s[0]), y(s[1]))));
    g.stroke();
    g.fillStyle = '#6b7785';
    g.fillText(Math.round(top) + ' ms', 4, 12);
    g.fillText('0', 4, h - 4);
  }

  async function act(label, base, path, body) {
    const r = await call(base, path, { method: path.endsWith('/price') && !path.startsWith('/admin')
      ? 'PATCH' : 'POST', body: JSON.stringify(body) });
    if (r.status >= 200 && r.status < 300) {
      say(label + ': done' + (r.body && r.body.version ? ' (now version ' + r.body.version + ')' : ''));
    } else {
      say(label + ' failed: ' + errorText(r), true);
    }
  }

  function newPrice() {
    return 100 + Math.floor(Math.random() * 99900);
  }

  async function start() {
    const r = await call('', '/demo/instances');
    if (r.status !== 200 || r.body.length < 2) {
      say('this instance does not know its peer: ' + errorText(r), true);
      return;
    }
    a = r.body[0].url;
    b = r.body[1].url;
    $('a-url').textContent = a;
    $('b-url').textContent = b;
    if (!token) {
      say('no admin token in the URL (#token=...): the database column and the buttons need it;'
        + ' open the URL the demo printed', true);
    }
    watched.forEach(id => {
      rowFor(id);
      const option = document.createElement('option');
      option.value = id;
      option.textContent = id;
      $('product').appendChild(option);
    });
    $('btn-price-a').onclick = () => act('price change on A', a,
      '/products/' + selected() + '/price', { priceCents: newPrice() });
    $('btn-sql').onclick = () => act('plain SQL UPDATE', a,
      '/admin/sql/products/' + selected() + '/price', { priceCents: newPrice() });
    $('btn-deaf-b').onclick = () => act('B deaf', b, '/admin/chaos/subscriber',
      { mode: 'deaf', for: '30s' }).then(status);
    $('btn-down-b').onclick = () => act('B down', b, '/admin/chaos/subscriber',
      { mode: 'down', for: '30s' }).then(status);
    $('btn-heal-b').onclick = () => act('B healed', b, '/admin/chaos/subscriber',
      { mode: 'off' }).then(status);
    await status();
    setInterval(poll, POLL_MS);
    setInterval(status, STATUS_MS);
    poll();
  }

  start().catch(e => say('could not start: ' + e, true));
})();
