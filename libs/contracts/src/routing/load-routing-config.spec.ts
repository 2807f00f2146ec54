import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoutingConfigError, loadRoutingConfig } from './load-routing-config';

describe('loadRoutingConfig', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'closeloop-routing-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the project default routing file', () => {
    const config = loadRoutingConfig(join(__dirname, '../../../../config/closeloop.yaml'));
    expect(config.defaults.team).toBe('cx');
  });

  it('throws one message listing every problem, one per line, each prefixed with the file path', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      `defaults: { team: cx, alertAt: { nps: 6, csat: 2, ces: 9 } }
teams:
  - id: cx
    bogus: true
    sla: { firstResponse: PT1H, resolve: PT48H }
agents:
  - { id: ayse, name: Ayşe, team: cx, phone: "0555" }
rootCauses: [other]
`,
    );
    let error: unknown;
    try {
      loadRoutingConfig(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RoutingConfigError);
    const e = error as RoutingConfigError;
    expect(e.name).toBe('RoutingConfigError');
    expect(e.source).toBe(file);
    expect(e.errors.map((x) => x.path)).toEqual(['defaults.alertAt.ces', 'teams[0].bogus', 'agents[0].phone']);
    const [header, ...lines] = e.message.split('\n');
    expect(header).toBe(`Invalid routing file ${file} (3 problems):`);
    expect(lines).toEqual([
      `${file}:1:51: defaults.alertAt.ces: must be an integer 1-7 (got number 9)`,
      expect.stringMatching(new RegExp(`^${escape(file)}:4:5: teams\\[0\\]\\.bogus: unknown key`)),
      `${file}:7:39: agents[0].phone: not an E.164 number ("0555"); expected e.g. "+905551112233"`,
    ]);
  });

  it('reports a missing file as a RoutingConfigError naming where it looked', () => {
    const file = join(dir, 'nope.yaml');
    expect(() => loadRoutingConfig(file)).toThrow(RoutingConfigError);
    expect(() => loadRoutingConfig(file)).toThrow(`${file}: file not found (looked at ${file}); set CLOSELOOP_CONFIG`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
