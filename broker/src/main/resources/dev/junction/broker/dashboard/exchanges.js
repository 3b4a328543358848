// Exchanges and bindings. The default exchange has an empty name (RabbitMQ lists it so, and each queue's
// implicit binding to it); it is shown as "(AMQP default)". Clicking an exchange filters the bindings to it.

import { get } from './api.js';
import { el, failure, fill, json, panel, table, yes } from './dom.js';

const DEFAULT = '(AMQP default)';

function create() {
  const filter = el('input', { id: 'binding-filter', type: 'search', placeholder: 'Filter by name' });
  const exchanges = panel('Exchanges');
  const bindings = panel('Bindings', filter);
  const root = el('div', null, exchanges.root, bindings.root);
  let allBindings = [];

  const showBindings = () => {
    const wanted = filter.value.trim().toLowerCase();
    const rows = wanted === '' ? allBindings : allBindings.filter((b) =>
      [b.source || DEFAULT, b.destination, b.routing_key].some((s) => s.toLowerCase().includes(wanted)));
    fill(bindings.body, table('bindings', [
      { title: 'Virtual host', value: (b) => b.vhost },
      { title: 'Source', value: (b) => b.source || DEFAULT },
      { title: 'Destination', value: (b) => b.destination },
      { title: 'Type', value: (b) => b.destination_type },
      { title: 'Routing key', value: (b) => b.routing_key, cls: 'mono' },
      { title: 'Arguments', value: (b) => json(b.arguments), cls: 'mono small' },
    ], rows, { empty: 'No bindings.' }));
  };
  filter.addEventListener('input', showBindings);

  async function refresh() {
    try {
      const list = await get('/api/exchanges');
      fill(exchanges.body, table('exchanges', [
        { title: 'Virtual host', value: (x) => x.vhost },
        { title: 'Name', value: (x) => el('button', {
          type: 'button', class: 'link',
          onclick: () => { filter.value = x.name || DEFAULT; showBindings(); },
        }, x.name || DEFAULT) },
        { title: 'Type', value: (x) => x.type },
        { title: 'Durable', value: (x) => yes(x.durable) },
        { title: 'Auto-delete', value: (x) => yes(x.auto_delete) },
        { title: 'Internal', value: (x) => yes(x.internal) },
        { title: 'Arguments', value: (x) => json(x.arguments), cls: 'mono small' },
      ], list, { key: (x) => `${x.vhost}|${x.name}` }));
    } catch (e) {
      fill(exchanges.body, failure('Exchanges', e));
    }
    try {
      allBindings = await get('/api/bindings');
      showBindings();
    } catch (e) {
      fill(bindings.body, failure('Bindings', e));
    }
  }

  return { root, refresh };
}

export default { title: 'Exchanges and bindings', create };
