import { initialTeam } from './inbox-team';

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
