// Overview: totals, message rates and queued messages over the last five minutes, and the deepest queues.
// The history is sampled every poll whichever page is open, so the charts are full when the page is opened.

import { get } from './api.js';
import { LineChart } from './chart.js';
import { age, count, el, failure, fill, panel, rateOf, table } from './dom.js';

const SPAN = 300; // seconds the charts show at most
const KEPT = 120; // samples kept: five minutes of polls, and a few Refresh clicks
const rates = [];
const depths = [];
let latest = null;
let latestError = null;
let sampledAt = 0;

const RATE_SERIES = [
  { label: 'publish', color: '#2f6fde' },
  { label: 'deliver / get', color: '#1f9d6b' },
  { label: 'ack', color: '#c77c02' },
];
const DEPTH_SERIES = [
  { label: 'ready', color: '#2f6fde' },
  { label: 'unacknowledged', color: '#c2410c' },
];

function rate(stats, name) {
  const details = stats && stats[`${name}_details`];
  return details && typeof details.rate === 'number' ? details.rate : null;
}

function push(list, values) {
  list.push({ t: Date.now(), values });
  while (list.length > KEPT || (list.length > 0 && Date.now() - list[0].t > SPAN * 1000)) {
    list.shift();
  }
}

/** Milliseconds since the last sample (a page opened after a while takes one at once). */
export function latestSampleAge() {
  return Date.now() - sampledAt;
}

/** Takes one sample of /api/overview for the charts. */
export async function sample() {
  sampledAt = Date.now();
  try {
    latest = await get('/api/overview');
    latestError = null;
  } catch (e) {
    latestError = e;
    push(rates, [null, null, null]);
    push(depths, [null, null]);
    return;
  }
  const stats = latest.message_stats;
  push(rates, [rate(stats, 'publish'), rate(stats, 'deliver_get'), rate(stats, 'ack')]);
  const totals = latest.queue_totals || {};
  push(depths, [totals.messages_ready ?? null, totals.messages_unacknowledged ?? null]);
}

function card(label, value) {
  return el('div', { class: 'card' }, el('div', { class: 'card-value' }, count(value)), el('div', null, label));
}

/** Junction's dead_lettered by reason: the total, and the reasons in the card's title. */
function deadLetteredCard(byReason) {
  if (!byReason) {
    return null;
  }
  const reasons = Object.entries(byReason);
  const total = reasons.reduce((sum, [, n]) => sum + n, 0);
  const c = card('Dead-lettered', total);
  c.id = 'dead-lettered';
  c.title = reasons.map(([reason, n]) => `${reason}: ${n}`).join(', ');
  return c;
}

function create() {
  const summary = el('p', { class: 'summary' });
  const cards = el('div', { class: 'cards', id: 'totals' });
  const rateCanvas = el('canvas', { class: 'chart', id: 'rate-chart' });
  const depthCanvas = el('canvas', { class: 'chart', id: 'depth-chart' });
  const rateNote = el('p', { class: 'note' });
  const rateNow = el('p', { class: 'rate-now', id: 'rate-now' });
  const rateChart = new LineChart(rateCanvas, RATE_SERIES, SPAN);
  const depthChart = new LineChart(depthCanvas, DEPTH_SERIES, SPAN);
  const deepest = panel('Deepest queues');
  const root = el('div', null, summary, cards,
    el('div', { class: 'charts' },
      el('section', { class: 'panel' }, el('h2', null, 'Message rates (per second)'), rateCanvas, rateNow, rateNote),
      el('section', { class: 'panel' }, el('h2', null, 'Queued messages'), depthCanvas)),
    deepest.root);

  async function refresh() {
    if (latestError) {
      fill(summary, failure('Overview', latestError));
    } else if (latest) {
      fill(summary, `${latest.product_name || 'Junction'} ${latest.product_version || ''} on ${latest.node || ''}`);
      const o = latest.object_totals || {};
      const q = latest.queue_totals || {};
      fill(cards, card('Connections', o.connections), card('Queues', o.queues), card('Exchanges', o.exchanges),
        card('Consumers', o.consumers), card('Ready', q.messages_ready),
        card('Unacknowledged', q.messages_unacknowledged), deadLetteredCard(latest.dead_lettered));
    }
    const stats = latest && latest.message_stats;
    fill(rateNow, el('span', { id: 'rate-publish' }, `publish ${rateOf(stats, 'publish')}`), ' · ',
      el('span', { id: 'rate-deliver' }, `deliver / get ${rateOf(stats, 'deliver_get')}`), ' · ',
      el('span', { id: 'rate-ack' }, `ack ${rateOf(stats, 'ack')}`), ' · ',
      el('span', { id: 'rate-confirm' }, `confirm ${rateOf(stats, 'confirm')}`), ' per second');
    const hasRates = rates.some((s) => s.values.some((v) => typeof v === 'number'));
    rateChart.draw(rates, 'No rates reported');
    fill(rateNote, hasRates ? '' : 'This broker reports no message rates (message_stats is empty).');
    depthChart.draw(depths);
    try {
      const queues = await get('/api/queues?sort=messages&sort_reverse=true');
      fill(deepest.body, table('deepest-queues', [
        { title: 'Virtual host', value: (r) => r.vhost },
        { title: 'Queue', value: (r) => r.name },
        { title: 'Messages', value: (r) => count(r.messages), num: true },
        { title: 'Consumers', value: (r) => count(r.consumers), num: true },
        { title: 'Oldest ready', value: (r) => age(r.oldest_ready_age_seconds), num: true },
      ], queues.slice(0, 5), { key: (r) => `${r.vhost}|${r.name}`, empty: 'No queues.' }));
    } catch (e) {
      fill(deepest.body, failure('Queues', e));
    }
  }

  return { root, refresh };
}

export default { title: 'Overview', create };
