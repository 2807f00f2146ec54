import { inboxOrder, initialTeam } from './inbox-team';

describe('initialTeam (what the inbox shows first)', () => {
  const teams = [{ id: 'cx' }, { id: 'support' }];
  it.each([
    ['nothing chosen: my team', null, 'cx', 'cx'],
    ['nothing chosen, no team of mine: all teams', null, null, ''],
    ['my team no longer in the routing file: all teams', null, 'gone', ''],
    ['another team chosen in this tab', 'support', 'cx', 'support'],
    ['all teams chosen in this tab', '', 'cx', ''],
    ['a chosen team that is gone: my team', 'gone', 'cx', 'cx'],
  ])('%s', (_what, chosen, mine, expected) => expect(initialTeam(chosen, mine, teams)).toBe(expected));
});

describe('inboxOrder (a lead sees unassigned work first, then each assignee\'s tickets together)', () => {
  const t = (id: string, assignee: string | null) => ({ id, assignee: assignee ? { name: assignee } : null });
  const items = [t('1', 'Mehmet'), t('2', null), t('3', 'Ayşe'), t('4', null), t('5', 'Mehmet')];
  it.each([
    ['lead', ['2', '4', '3', '1', '5']],
    ['agent', ['1', '2', '3', '4', '5']],
    ['admin', ['1', '2', '3', '4', '5']],
  ])('%s', (role, ids) => expect(inboxOrder(items, role).map((x) => x.id)).toEqual(ids));
});
