// Cluster: GET /api/cluster on the node this page talks to (docs/cluster.md, "Status"), the same numbers as the
// junction_cluster_* meters. The metadata group (this node's role, its leader, term, indexes and the leader changes
// seen), its members with the commit index this node last heard from each and their lag behind the leader, and a
// row per quorum group. A broker that runs alone answers 404, which the page says plainly.

import { get } from './api.js';
import { count, el, failure, fill, note, panel, table, yes } from './dom.js';

/** A log index as the API gives it; -1 means not known here (not heard from that member yet). */
function index(value) {
  return typeof value === 'number' && value >= 0 ? count(value) : '–';
}

/** How many committed entries this node has yet to apply in a group: commit index minus applied index. */
function unapplied(group) {
  const commit = group.commit_index;
  const applied = group.applied_index;
  return typeof commit === 'number' && typeof applied === 'number' && commit >= 0 && applied >= 0
    ? count(Math.max(0, commit - applied)) : '–';
}

/** The leader a group knows; the API gives an empty string while there is none (an election). */
function leader(id) {
  return id ? id : el('span', { class: 'error' }, 'none');
}

/** The largest lag of a group's members behind its leader, where this node knows it ('–' where it does not). */
function worstLag(members) {
  const known = (members || []).map((m) => m.lag).filter((lag) => typeof lag === 'number' && lag >= 0);
  return known.length ? count(Math.max(...known)) : '–';
}

/** The metadata group as a group row: its indexes are those of this node's own member entry. */
function metadataGroup(status) {
  const self = (status.members || []).find((m) => m.self) || {};
  return {
    name: 'metadata', role: status.role, leader: status.leader, term: status.term,
    commit_index: self.commit_index, applied_index: self.applied_index, leader_changes: status.leader_changes,
    members: status.members,
  };
}

const GROUP_COLUMNS = [
  { title: 'Group', value: (g) => g.name, cls: 'name' },
  { title: 'Role here', value: (g) => el('span', { class: 'role' }, g.role) },
  { title: 'Leader', value: (g) => el('span', { class: 'leader' }, leader(g.leader)) },
  { title: 'Term', value: (g) => el('span', { class: 'term' }, count(g.term)), num: true },
  { title: 'Commit index', value: (g) => el('span', { class: 'commit' }, index(g.commit_index)), num: true },
  { title: 'Applied index', value: (g) => el('span', { class: 'applied' }, index(g.applied_index)), num: true },
  { title: 'Not yet applied', value: (g) => el('span', { class: 'unapplied' }, unapplied(g)), num: true },
  { title: 'Follower lag (max)', value: (g) => el('span', { class: 'lag' }, worstLag(g.members)), num: true },
  { title: 'Leader changes', value: (g) => el('span', { class: 'leader-changes' }, count(g.leader_changes)),
    num: true },
];

function create() {
  const summary = el('div', { class: 'summary', id: 'cluster-summary' });
  const metadata = panel('Metadata group');
  const members = panel('Members');
  const groups = panel('Quorum groups');
  const root = el('div', null, summary, metadata.root, members.root, groups.root);

  async function refresh() {
    let status;
    try {
      status = await get('/api/cluster');
    } catch (e) {
      const alone = e.status === 404;
      fill(summary, alone
        ? note('This broker is not in a cluster: it runs alone (its configuration has no cluster: section).',
          'note', 'not-clustered')
        : failure('Cluster', e));
      for (const p of [metadata, members, groups]) {
        p.root.hidden = true;
      }
      return;
    }
    for (const p of [metadata, members, groups]) {
      p.root.hidden = false;
    }
    fill(summary, 'Node ', el('strong', { id: 'cluster-node' }, status.node), ' · metadata leader ',
      el('strong', { id: 'cluster-leader' }, leader(status.leader)), ` · term ${count(status.term)}`,
      ` · ${count((status.members || []).length)} members`);
    fill(metadata.body, table('metadata-group', GROUP_COLUMNS, [metadataGroup(status)], { key: (g) => g.name }));
    fill(members.body, table('cluster-members', [
      { title: 'Id', value: (m) => m.self ? [m.id, el('span', { class: 'small' }, ' (this node)')] : m.id,
        cls: 'name' },
      { title: 'Address', value: (m) => el('span', { class: 'mono address' }, m.address) },
      { title: 'Leader', value: (m) => el('span', { class: 'is-leader' }, yes(m.leader)) },
      { title: 'Commit index (as heard)', value: (m) => el('span', { class: 'commit' }, index(m.commit_index)),
        num: true },
      { title: 'Applied index', value: (m) => el('span', { class: 'applied' }, index(m.applied_index)), num: true },
      { title: 'Lag', value: (m) => el('span', { class: 'lag' }, index(m.lag)), num: true },
    ], status.members || [], { key: (m) => m.id, empty: 'No members known.' }));
    fill(groups.body, table('quorum-groups', GROUP_COLUMNS, status.quorum_groups || [],
      { key: (g) => g.name, empty: 'The quorum groups have not started on this node.' }));
  }

  return { root, refresh };
}

export default { title: 'Cluster', create };
