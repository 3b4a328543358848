// Policies on the users page: the list, and for those who may change them (RabbitMQ's policymaker tag, which
// administrators have) a form to set one and a button to delete one. The API checks the definition and the rights;
// its refusal ("Validation failed ...") is shown as it gives it.

import { del, get, put, seg } from './api.js';
import { confirmButton, el, failure, field, fill, json, panel, table } from './dom.js';

/** {@code run(done, call)}: the page's way to make a change, report it and redraw; true when the API took it. */
export function policiesPanel({ me, run }) {
  const tags = me.tags || [];
  const policymaker = tags.includes('administrator') || tags.includes('policymaker');
  const p = panel('Policies');
  const list = el('div');
  if (!policymaker) {
    return { root: null, refresh: async () => {} };
  }
  const vhost = el('input', { id: 'policy-vhost', required: true, value: '/', size: 8 });
  const name = el('input', { id: 'policy-name', required: true, autocomplete: 'off', size: 12 });
  const pattern = el('input', { id: 'policy-pattern', required: true, placeholder: '^jobs\\.', size: 12 });
  const applyTo = el('select', { id: 'policy-apply-to' },
    el('option', { value: 'all' }, 'all'), el('option', { value: 'queues' }, 'queues'),
    el('option', { value: 'exchanges' }, 'exchanges'));
  const priority = el('input', { id: 'policy-priority', type: 'number', value: 0, size: 4 });
  const definition = el('input', { id: 'policy-definition', required: true, size: 30,
    placeholder: '{"max-length": 1000}' });
  const form = el('form', {
    class: 'form-row', id: 'set-policy',
    onsubmit: (e) => {
      e.preventDefault();
      let parsed;
      try {
        parsed = JSON.parse(definition.value);
      } catch (err) {
        run('Set policy', () => Promise.reject(new Error(`the definition is not JSON: ${err.message}`)));
        return;
      }
      const target = `/api/policies/${seg(vhost.value)}/${seg(name.value.trim())}`;
      run(`Set policy ${name.value.trim()} in ${vhost.value}`, () => put(target, {
        pattern: pattern.value, 'apply-to': applyTo.value, priority: Number(priority.value) || 0, definition: parsed,
      })).then((ok) => ok && form.reset());
    },
  }, field('Virtual host', vhost), field('Name', name), field('Pattern', pattern), field('Apply to', applyTo),
  field('Priority', priority), field('Definition (JSON)', definition),
  el('button', { type: 'submit', id: 'set-policy-submit' }, 'Set policy'));
  fill(p.body, list, form);

  async function refresh() {
    try {
      const policies = await get('/api/policies');
      fill(list, table('policies', [
        { title: 'Virtual host', value: (x) => x.vhost },
        { title: 'Name', value: (x) => x.name, cls: 'name' },
        { title: 'Pattern', value: (x) => x.pattern, cls: 'mono' },
        { title: 'Apply to', value: (x) => x['apply-to'] },
        { title: 'Priority', value: (x) => String(x.priority), num: true },
        { title: 'Definition', value: (x) => json(x.definition), cls: 'mono' },
        { title: '', value: (x) => confirmButton('Delete', () => run(`Deleted policy ${x.name}`,
          () => del(`/api/policies/${seg(x.vhost)}/${seg(x.name)}`)), 'delete') },
      ], policies, { key: (x) => `${x.vhost}|${x.name}`, empty: 'No policies.' }));
    } catch (e) {
      fill(list, failure('Policies', e));
    }
  }

  return { root: p.root, refresh };
}
