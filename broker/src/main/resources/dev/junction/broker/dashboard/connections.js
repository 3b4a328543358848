// Connections, AMQP and MQTT, in RabbitMQ's JSON shape (name, protocol, user, vhost, peer_host, peer_port,
// channels, state, client_properties); an MQTT connection's client id in client_id.
// Closing one is DELETE /api/connections/{name} with the reason in X-Reason, as RabbitMQ's API takes it.

import { del, get, seg } from './api.js';
import { confirmButton, count, el, failure, fill, note, panel, table } from './dom.js';

const REASON = 'Closed by an administrator from the Junction dashboard';

function client(c) {
  const p = c.client_properties || {};
  const parts = [p.connection_name, c.client_id ?? p.client_id, p.product, p.version]
    .filter((v) => typeof v === 'string' && v);
  return parts.join(' · ');
}

function peer(c) {
  return c.peer_host == null ? '' : `${c.peer_host}:${c.peer_port ?? ''}`;
}

function connectedAt(c) {
  return typeof c.connected_at === 'number' ? new Date(c.connected_at).toLocaleTimeString('en-GB') : '';
}

function create() {
  const status = el('div', { class: 'status', id: 'connections-status' });
  const list = panel('Connections');
  const root = el('div', null, status, list.root);

  async function refresh() {
    let connections;
    try {
      connections = await get('/api/connections');
    } catch (e) {
      if (e.status === 404) {
        fill(list.body, note('Connections are not available on this broker (GET /api/connections: 404).',
          'note unavailable', 'connections-unavailable'));
      } else {
        fill(list.body, failure('Connections', e));
      }
      return;
    }
    fill(list.body, table('connections', [
      { title: 'Name', value: (c) => c.name, cls: 'name' },
      { title: 'Protocol', value: (c) => c.protocol, cls: 'nowrap' },
      { title: 'User', value: (c) => c.user },
      { title: 'Virtual host', value: (c) => c.vhost },
      { title: 'Peer', value: peer, cls: 'mono' },
      { title: 'Client', value: client },
      { title: 'Channels', value: (c) => count(c.channels), num: true },
      { title: 'State', value: (c) => c.state },
      { title: 'Since', value: connectedAt, cls: 'nowrap' },
      { title: '', value: (c) => confirmButton('Close', async () => {
        try {
          await del(`/api/connections/${seg(c.name)}`, { 'X-Reason': REASON });
          fill(status, `Closed ${c.name}`);
          status.className = 'status ok';
        } catch (e) {
          fill(status, failure(`Close ${c.name}`, e));
          status.className = 'status';
        }
        await refresh();
      }, 'close') },
    ], connections, { key: (c) => c.name, empty: 'No connections.' }));
  }

  return { root, refresh };
}

export default { title: 'Connections', create };
