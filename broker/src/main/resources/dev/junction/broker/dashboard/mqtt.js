// MQTT sessions and their subscriptions (GET /api/mqtt/sessions, Junction's own view). Deleting a session
// deletes its queue: a connected MQTT 5 client gets DISCONNECT 0x98 (Administrative action).

import { del, get, seg } from './api.js';
import { confirmButton, count, el, failure, fill, panel, table, yes } from './dom.js';

function subscriptions(s) {
  if (!s.subscriptions || s.subscriptions.length === 0) {
    return '';
  }
  return el('ul', { class: 'subs' }, s.subscriptions.map((sub) => {
    const flags = [sub.no_local && 'no local', sub.retain_as_published && 'retain as published',
      sub.subscription_identifier != null && `id ${sub.subscription_identifier}`].filter(Boolean);
    return el('li', null, el('span', { class: 'mono filter' }, sub.filter), ` QoS ${sub.qos}`,
      flags.length ? ` (${flags.join(', ')})` : '');
  }));
}

function create() {
  const status = el('div', { class: 'status', id: 'mqtt-status' });
  const list = panel('MQTT sessions');
  const root = el('div', null, status, list.root);

  async function refresh() {
    let sessions;
    try {
      sessions = await get('/api/mqtt/sessions');
    } catch (e) {
      fill(list.body, failure('MQTT sessions', e));
      return;
    }
    fill(list.body, table('mqtt-sessions', [
      { title: 'Client id', value: (s) => s.client_id, cls: 'name' },
      { title: 'Virtual host', value: (s) => s.vhost },
      { title: 'User', value: (s) => s.user ?? '' },
      { title: 'Connected', value: (s) => yes(s.connected) },
      { title: 'Persistent', value: (s) => yes(s.persistent) },
      { title: 'Queued', value: (s) => count(s.messages_queued), num: true },
      { title: 'In flight', value: (s) => count(s.messages_in_flight), num: true },
      { title: 'Subscriptions', value: subscriptions },
      { title: '', value: (s) => confirmButton('Delete', async () => {
        try {
          await del(`/api/mqtt/sessions/${seg(s.vhost)}/${seg(s.client_id)}`);
          fill(status, `Deleted session ${s.client_id}`);
          status.className = 'status ok';
        } catch (e) {
          fill(status, failure(`Delete ${s.client_id}`, e));
          status.className = 'status';
        }
        await refresh();
      }, 'delete') },
    ], sessions, { key: (s) => `${s.vhost}|${s.client_id}`, empty: 'No MQTT sessions.' }));
  }

  return { root, refresh };
}

export default { title: 'MQTT sessions', create };
