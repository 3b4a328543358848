// Alarms, from RabbitMQ's health check: 200 {"status":"ok"} without alarms, 503 with the alarms in effect
// (memory, disk), 404 on a broker without the check.

import { get } from './api.js';
import { el, failure, fill, note, panel, table } from './dom.js';

function create() {
  const alarms = panel('Alarms');

  async function refresh() {
    try {
      await get('/api/health/checks/alarms');
      fill(alarms.body, note('No alarms are in effect.', 'note ok', 'no-alarms'));
    } catch (e) {
      if (e.status === 503 && e.body && Array.isArray(e.body.alarms)) {
        fill(alarms.body, note(e.body.reason || 'Alarms are in effect.', 'error', 'alarms-raised'),
          table('alarms', [
            { title: 'Resource', value: (a) => a.resource },
            { title: 'Node', value: (a) => a.node },
          ], e.body.alarms));
      } else {
        fill(alarms.body, failure('Alarms', e));
      }
    }
  }

  return { root: el('div', null, alarms.root), refresh };
}

export default { title: 'Alarms', create };
