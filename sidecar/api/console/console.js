// The pushsync console: polls GET /v1/status every 2 s and keeps the last
// 15 minutes of it in the page to draw rates and trends; lists and acts on
// dead letters through /v1/dead-letters; looks up one installation. The API
// token is asked for once, kept in sessionStorage (this tab only) and sent
// only in the Authorization header, never in a URL. No framework, no build
// step; everything shown is set as text, never as HTML.
const pollMs = 2000;
const answerMs = 10000; // a request not answered by then is an error, and polling goes on
const windowMs = 15 * 60 * 1000;
const pageSize = 20;
const tokenKey = 'pushsync.console.token';
const outcomes = ['accepted', 'retry', 'dead', 'invalid_token', 'provider_down'];
const svgNs = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);
const samples = []; // {t, captured, pushes, backlog}, oldest first
let lettersOffset = 0;
let pollTimer;

class Refused extends Error {}

// ---- the API ----------------------------------------------------------

async function api(path, options = {}) {
  const token = sessionStorage.getItem(tokenKey);
  const headers = { authorization: `Bearer ${token}`, ...(options.body ? { 'content-type': 'application/json' } : {}) };
  const answer = await fetch(path, { ...options, headers, cache: 'no-store', signal: AbortSignal.timeout(answerMs) })
    .catch((error) => {
      throw error.name === 'TimeoutError' ? new Error(`${path}: no answer in ${answerMs / 1000} s`) : error;
    });
  const body = answer.status === 204 ? {} : await answer.json().catch(() => ({}));
  if (answer.status === 401) throw new Refused(body.message ?? 'the API token was refused');
  if (!answer.ok) throw new Error(`${path}: ${answer.status} ${body.error ?? ''} ${body.message ?? ''}`.trim());
  return body;
}

function showError(error) {
  if (error instanceof Refused) {
    forget(`The API token was refused (${error.message}).`);
    return;
  }
  $('error').textContent = error.message;
}

// ---- signing in and out -----------------------------------------------

function forget(why = '') {
  sessionStorage.removeItem(tokenKey);
  clearTimeout(pollTimer);
  samples.length = 0;
  for (const body of document.querySelectorAll('main tbody')) body.replaceChildren();
  $('panels').hidden = true;
  $('forget').hidden = true;
  $('login').hidden = false;
  $('error').textContent = why;
  $('token').focus();
}

async function open() {
  $('login').hidden = true;
  $('error').textContent = '';
  try {
    await poll();
    await loadLetters();
  } catch (error) {
    showError(error);
    return;
  }
  $('panels').hidden = false;
  $('forget').hidden = false;
  schedule();
}

// Every pollMs while the token is kept: the status, and the dead letters' page.
function schedule() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    try {
      await poll();
      await loadLetters();
    } catch (error) {
      showError(error);
    }
    if (sessionStorage.getItem(tokenKey)) schedule();
  }, pollMs);
}

// ---- status: figures, charts, providers ----------------------------------

async function poll() {
  const status = await api('/v1/status');
  const t = Date.now();
  samples.push({ t, captured: status.captured, pushes: status.pushes, backlog: status.backlog });
  while (samples.length && samples[0].t < t - windowMs) samples.shift();
  render(status);
}

function render(status) {
  $('version').textContent = `v${status.version}`;
  $('updated').textContent = `updated ${new Date(status.time).toLocaleTimeString()}`;
  const b = status.backlog;
  const atLeast = (n) => (n >= b.countedTo ? `${n.toLocaleString()}+` : n.toLocaleString());
  $('backlog-changes').textContent = atLeast(b.changes);
  $('backlog-oldest').textContent = b.changes ? seconds(b.oldestSeconds) : '–';
  $('backlog-retries').textContent = atLeast(b.deliveriesWaiting);
  $('backlog-dead').textContent = atLeast(b.deadLetters);
  $('backlog-mailbox').textContent = atLeast(b.wsMailbox);
  $('ws-devices').textContent = status.websocket.devices.toLocaleString();
  renderCharts();
  renderProviders(status.providers);
}

// Per-second rates between consecutive samples of a counter.
function rates(read) {
  const points = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i].t - samples[i - 1].t) / 1000;
    points.push([samples[i].t, Math.max(0, (read(samples[i]) - read(samples[i - 1])) / dt)]);
  }
  return points;
}

const pushCount = (sample, platform, outcome) => sample.pushes[platform]?.[outcome] ?? 0;

function renderCharts() {
  const platforms = [...new Set(samples.flatMap((s) => Object.keys(s.pushes)))].sort();
  const sent = (s) => platforms.reduce((sum, p) => sum + outcomes.reduce((n, o) => n + pushCount(s, p, o), 0), 0);
  chart($('chart-traffic'), 'all platforms', [
    { name: 'changes/s captured', points: rates((s) => s.captured) },
    { name: 'pushes/s sent', points: rates(sent) },
  ], '/s');
  const holder = $('platform-charts');
  for (const platform of platforms) {
    let box = document.getElementById(`chart-${platform}`);
    if (!box) {
      box = Object.assign(document.createElement('div'), { id: `chart-${platform}`, className: 'chart' });
      holder.append(box);
    }
    chart(box, `${platform}: pushes/s by outcome`,
      outcomes.map((o) => ({ name: o, points: rates((s) => pushCount(s, platform, o)) })), '/s');
  }
  chart($('chart-backlog'), 'backlog', [
    { name: 'changes waiting', points: samples.map((s) => [s.t, s.backlog.changes]) },
    { name: 'pushes waiting to be retried', points: samples.map((s) => [s.t, s.backlog.deliveriesWaiting]) },
    { name: 'dead letters', points: samples.map((s) => [s.t, s.backlog.deadLetters]) },
  ], '');
}

// A small line chart of what the page kept (at most 15 minutes, at least the
// last minute): one polyline per series, and a legend with each series'
// latest value. The box's data-latest holds the first series' latest value
// (what a test reads).
function chart(box, title, series, unit) {
  const now = Date.now();
  const span = Math.min(windowMs, Math.max(60000, now - (samples[0]?.t ?? now)));
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.1;
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 900 100');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  series.forEach((s, i) => {
    const line = document.createElementNS(svgNs, 'polyline');
    line.setAttribute('class', `s${i}`);
    line.setAttribute('points', s.points.map(([t, v]) =>
      `${(900 - ((now - t) / span) * 900).toFixed(1)},${(100 - (v / max) * 100).toFixed(1)}`).join(' '));
    svg.append(line);
  });
  const legend = Object.assign(document.createElement('div'), { className: 'legend' });
  series.forEach((s, i) => {
    const latest = s.points.at(-1)?.[1] ?? 0;
    const item = document.createElement('span');
    item.append(Object.assign(document.createElement('i'), { className: `s${i}` }),
      `${s.name}: ${round(latest)}${unit}`);
    legend.append(item);
  });
  box.dataset.latest = String(series[0].points.at(-1)?.[1] ?? 0);
  box.replaceChildren(Object.assign(document.createElement('h3'), { textContent: `${title} (max ${round(max / 1.1)}${unit})` }),
    svg, legend);
}

function renderProviders(providers) {
  const rows = providers.map((p) => {
    const state = Object.assign(document.createElement('span'), { className: `state ${p.state}`, textContent: p.state });
    const since = p.state === 'up' ? '' : p.failingSince ? when(p.failingSince) : '';
    const connections = Object.entries(p.connections).map(([server, n]) => `${server}: ${n}`).join('\n');
    const row = tableRow([p.platform, state, since, p.lastError ? `${p.lastError} (${when(p.lastErrorAt)})` : '',
      p.lastAcceptedAt ? when(p.lastAcceptedAt) : 'never', connections]);
    row.id = `provider-${p.platform}`;
    row.dataset.state = p.state;
    row.cells[3].className = 'reason';
    return row;
  });
  $('providers').tBodies[0].replaceChildren(...rows);
}

// ---- dead letters -------------------------------------------------------

function letterFilter() {
  const form = $('letters-filter');
  const query = new URLSearchParams({ limit: pageSize, offset: lettersOffset, order: 'newest' });
  for (const name of ['table', 'reason', 'installation']) {
    const value = form.elements[name].value.trim();
    if (value) query.set(name, value);
  }
  return query;
}

async function loadLetters() {
  const { deadLetters } = await api(`/v1/dead-letters?${letterFilter()}`);
  const rows = deadLetters.map((d) => {
    const retry = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Retry' });
    retry.disabled = !d.retryable;
    retry.title = d.retryable ? 'send it again' : 'not a push to one installation: nothing to send again';
    retry.addEventListener('click', () => act(() => retryLetters([d.id])));
    const row = tableRow([when(d.failedAt), d.table, d.rowId, d.installationId ?? '', d.platform ?? '', d.reason, retry]);
    row.dataset.id = d.id;
    row.cells[5].className = 'reason';
    return row;
  });
  $('dead-letters').tBodies[0].replaceChildren(...rows);
  $('letters-page').textContent = deadLetters.length
    ? `${lettersOffset + 1}–${lettersOffset + deadLetters.length}, newest first` : 'none';
  $('letters-newer').disabled = lettersOffset === 0;
  $('letters-older').disabled = deadLetters.length < pageSize;
}

async function retryLetters(ids) {
  const report = await api('/v1/dead-letters/retry', { method: 'POST', body: JSON.stringify({ ids }) });
  $('error').textContent = report.notRetryable.length ? `${report.notRetryable.length} could not be retried` : '';
}

async function purgeLetters() {
  const before = $('letters-filter').elements.before.value.trim();
  if (!before || !confirm(`Delete every dead letter that failed before ${before}?`)) return;
  const { purged } = await api(`/v1/dead-letters?${new URLSearchParams({ before })}`, { method: 'DELETE' });
  $('error').textContent = `${purged} dead letters purged`;
}

// Runs an action on dead letters (none: a new filter or page), then shows
// the table and the figures as they are now.
async function act(action = async () => {}) {
  try {
    await action();
    await loadLetters();
    await poll();
  } catch (error) {
    showError(error);
  }
}

// ---- one installation ---------------------------------------------------

async function lookUp(id) {
  const box = $('installation');
  box.replaceChildren();
  const path = encodeURIComponent(id);
  let installation;
  try {
    installation = await api(`/v1/installations/${path}`);
  } catch (error) {
    if (error instanceof Refused) throw error;
    box.append(paragraph(`No installation ${id}.`));
    return;
  }
  const [status, letters] = await Promise.all([
    api(`/v1/status/installations/${path}`),
    api(`/v1/dead-letters?${new URLSearchParams({ installation: id, limit: 5, order: 'newest' })}`),
  ]);
  box.append(paragraph(`${installation.platform}, tags ${installation.tags.join(', ') || '(none)'}, ` +
    (installation.disabledAt ? `disabled since ${when(installation.disabledAt)}` : 'enabled') +
    `, registered ${when(installation.createdAt)}`));
  box.append(table(['sent', 'platform', 'table', 'id', 'outcome', 'reason'],
    status.recentPushes.map((p) => [when(p.at), p.platform, p.table, p.rowId, p.outcome, p.reason]),
    'No push to it among the last this sidecar sent.'));
  box.append(table(['waiting: due', 'table', 'id', 'attempts', 'last error'],
    status.waiting.map((w) => [when(w.dueAt), w.table, w.rowId, w.attempts, w.lastError]), 'Nothing waiting for it.'));
  box.append(table(['dead letter: failed', 'table', 'id', 'reason'],
    letters.deadLetters.map((d) => [when(d.failedAt), d.table, d.rowId, d.reason]), 'No dead letters.'));
}

// ---- small helpers ------------------------------------------------------

function tableRow(cells) {
  const row = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    td.append(cell instanceof Node ? cell : String(cell));
    row.append(td);
  }
  return row;
}

function table(headings, rows, empty) {
  if (!rows.length) return paragraph(empty);
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const h of headings) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  t.createTBody().append(...rows.map(tableRow));
  return t;
}

const paragraph = (text) => Object.assign(document.createElement('p'), { textContent: text });
const when = (time) => (time ? new Date(time).toLocaleString() : '');
const round = (v) => (v >= 100 ? Math.round(v).toLocaleString() : v.toFixed(1));

function seconds(s) {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

// ---- wiring ---------------------------------------------------------------

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(tokenKey, $('token').value);
  $('token').value = '';
  open();
});
$('forget').addEventListener('click', () => forget());
$('letters-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  lettersOffset = 0;
  act();
});
$('letters-retry-page').addEventListener('click', () => act(() => {
  const ids = [...$('dead-letters').tBodies[0].rows].map((r) => Number(r.dataset.id));
  return ids.length ? retryLetters(ids) : Promise.resolve();
}));
$('letters-purge').addEventListener('click', () => act(purgeLetters));
$('letters-newer').addEventListener('click', () => { lettersOffset = Math.max(0, lettersOffset - pageSize); act(); });
$('letters-older').addEventListener('click', () => { lettersOffset += pageSize; act(); });
$('lookup').addEventListener('submit', (event) => {
  event.preventDefault();
  lookUp($('lookup').elements.id.value.trim()).catch(showError);
});

if (sessionStorage.getItem(tokenKey)) open(); else forget();
