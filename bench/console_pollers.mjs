// N open consoles, as the page polls: every 2 s each asks GET /v1/status and
// the dead letters' first page, staggered over the 2 s; until killed.
//   node console_pollers.mjs PORT TOKEN N
const [port, token, n] = process.argv.slice(2);
const headers = { authorization: `Bearer ${token}` };
const base = `http://127.0.0.1:${port}`;
async function poll() {
  await fetch(`${base}/v1/status`, { headers }).then((r) => r.arrayBuffer());
  await fetch(`${base}/v1/dead-letters?limit=20&offset=0&order=newest`, { headers }).then((r) => r.arrayBuffer());
}
for (let k = 0; k < Number(n); k++) {
  setTimeout(() => {
    poll().catch(() => {});
    setInterval(() => poll().catch(() => {}), 2000);
  }, (2000 * k) / Number(n));
}
