// Queues: depth, consumers, message rates and lag (oldest ready message, consumer utilisation) per queue; purge,
// delete, and get messages (as RabbitMQ's "Get messages": the chosen ack mode decides whether they go back).

import { del, get, post, seg } from './api.js';
import { age, confirmButton, count, el, failure, field, fill, json, note, panel, rateOf, table } from './dom.js';

function features(q) {
  return [q.durable && 'durable', q.auto_delete && 'auto-delete', q.exclusive && 'exclusive']
    .filter(Boolean).join(', ');
}

/** RabbitMQ's consumer_utilisation as a percentage; '–' without consumers. */
function utilisation(q) {
  return typeof q.consumer_utilisation === 'number' ? `${Math.round(q.consumer_utilisation * 100)} %` : '–';
}

function path(q, suffix = '') {
  return `/api/queues/${seg(q.vhost)}/${seg(q.name)}${suffix}`;
}

/** The "get messages" form, aimed at one queue at a time by the Get buttons of the table. */
function getter(report) {
  const target = el('strong', { id: 'get-target' }, '(choose a queue below)');
  const countInput = el('input', { id: 'get-count', type: 'number', min: 1, max: 100, value: 1 });
  const mode = el('select', { id: 'get-ackmode' },
    el('option', { value: 'ack_requeue_true' }, 'Requeue (leave them in the queue)'),
    el('option', { value: 'ack_requeue_false' }, 'Remove them'));
  const results = el('div', { id: 'get-results' });
  let queue = null;
  const button = el('button', {
    type: 'button', id: 'get-run', disabled: true,
    onclick: async () => {
      try {
        const messages = await post(path(queue, '/get'),
          { count: Number(countInput.value) || 1, ackmode: mode.value, encoding: 'auto', truncate: 50000 });
        fill(results, messages.length === 0 ? note('The queue is empty.') : messages.map(message));
        report();
      } catch (e) {
        fill(results, failure('Get', e));
      }
    },
  }, 'Get messages');
  const p = panel('Get messages');
  fill(p.body, el('div', { class: 'form-row' },
    'From ', target, field('Count', countInput), field('Mode', mode), button), results);
  p.root.hidden = true;
  return {
    root: p.root,
    aim(q) {
      queue = q;
      fill(target, `${q.name} (${q.vhost})`);
      button.disabled = false;
      fill(results);
      p.root.hidden = false;
    },
  };
}

function message(m, i) {
  return el('div', { class: 'message' },
    el('div', { class: 'message-head' },
      `#${i + 1} from exchange "${m.exchange}" with routing key "${m.routing_key}"`,
      m.redelivered ? ' (redelivered)' : '', `, ${count(m.payload_bytes)} bytes, ${m.payload_encoding}`),
    json(m.properties) ? el('div', { class: 'mono small' }, `properties: ${json(m.properties)}`) : null,
    el('pre', { class: 'payload' }, m.payload));
}

function create() {
  const status = el('div', { class: 'status', id: 'queues-status' });
  const list = panel('Queues');
  let refresh;
  const get1 = getter(() => refresh());
  const root = el('div', null, status, get1.root, list.root);

  const act = (verb, call) => async () => {
    try {
      await call();
      fill(status, verb);
      status.className = 'status ok';
    } catch (e) {
      fill(status, failure(verb, e));
      status.className = 'status';
    }
    await refresh();
  };

  refresh = async () => {
    let queues;
    try {
      queues = await get('/api/queues');
    } catch (e) {
      fill(list.body, failure('Queues', e));
      return;
    }
    fill(list.body, table('queues', [
      { title: 'Virtual host', value: (q) => q.vhost },
      { title: 'Name', value: (q) => q.name, cls: 'name' },
      { title: 'Features', value: features },
      { title: 'Ready', value: (q) => count(q.messages_ready), num: true },
      { title: 'Unacked', value: (q) => count(q.messages_unacknowledged), num: true },
      { title: 'Total', value: (q) => el('span', { class: 'messages' }, count(q.messages)), num: true },
      { title: 'Consumers', value: (q) => count(q.consumers), num: true },
      { title: 'In /s', value: (q) => el('span', { class: 'rate-in' }, rateOf(q.message_stats, 'publish')), num: true },
      { title: 'Out /s', value: (q) => el('span', { class: 'rate-out' }, rateOf(q.message_stats, 'deliver_get')),
        num: true },
      { title: 'Ack /s', value: (q) => el('span', { class: 'rate-ack' }, rateOf(q.message_stats, 'ack')), num: true },
      { title: 'Oldest ready', value: (q) => el('span', { class: 'age' }, age(q.oldest_ready_age_seconds)),
        num: true },
      { title: 'Utilisation', value: (q) => el('span', { class: 'utilisation' }, utilisation(q)), num: true },
      { title: '', value: (q) => el('span', { class: 'actions' },
          el('button', { type: 'button', class: 'get', onclick: () => get1.aim(q) }, 'Get'),
          confirmButton('Purge', act(`Purged ${q.name}`, () => del(path(q, '/contents'))), 'purge'),
          confirmButton('Delete', act(`Deleted ${q.name}`, () => del(path(q))), 'delete')) },
    ], queues, { key: (q) => `${q.vhost}|${q.name}`, empty: 'No queues.' }));
  };

  return { root, refresh };
}

export default { title: 'Queues', create };
