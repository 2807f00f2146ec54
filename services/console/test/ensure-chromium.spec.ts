import { BrowserLookup, canInstallWithApt, findChromium, notFoundMessage } from './ensure-chromium';

const lookup = (files: string[], env: Record<string, string | undefined> = {}, platform = 'linux'): BrowserLookup => ({
  env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
  platform,
  isExecutable: (f) => files.includes(f),
});

describe('findChromium', () => {
  it.each([
    ['CHROMIUM_PATH first', ['/opt/x/chrome', '/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/x/chrome' }, 'linux', { path: '/opt/x/chrome', from: 'CHROMIUM_PATH' }],
    ["Debian's chromium", ['/usr/bin/chromium'], {}, 'linux', { path: '/usr/bin/chromium', from: 'usual path' }],
    ['Google Chrome where its .deb puts it', ['/opt/google/chrome/chrome'], {}, 'linux', { path: '/opt/google/chrome/chrome', from: 'usual path' }],
    ['chromium earlier in the usual paths than google-chrome', ['/usr/bin/google-chrome', '/usr/bin/chromium'], {}, 'linux', { path: '/usr/bin/chromium', from: 'usual path' }],
    ['chromium-browser on PATH elsewhere', ['/home/me/bin/chromium-browser'], { PATH: '/home/me/bin:/usr/bin' }, 'linux', { path: '/home/me/bin/chromium-browser', from: 'PATH' }],
    ['google-chrome on PATH', ['/usr/local/bin/google-chrome'], {}, 'linux', { path: '/usr/local/bin/google-chrome', from: 'PATH' }],
    ['Chrome on macOS', ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'], {}, 'darwin', { path: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', from: 'usual path' }],
    ['nothing installed', [], {}, 'linux', undefined],
    ['an empty CHROMIUM_PATH counts as unset', ['/usr/bin/chromium'], { CHROMIUM_PATH: '' }, 'linux', { path: '/usr/bin/chromium', from: 'usual path' }],
  ])('%s', (_name, files, env, platform, expected) => {
    expect(findChromium(lookup(files, env, platform))).toEqual(expected);
  });

  it('refuses a CHROMIUM_PATH that is not an executable instead of looking elsewhere', () => {
    expect(() => findChromium(lookup(['/usr/bin/chromium'], { CHROMIUM_PATH: '/nope/chrome' }))).toThrow('CHROMIUM_PATH=/nope/chrome is not an executable file');
  });
});

describe('canInstallWithApt', () => {
  it.each([
    ['root with apt-get', 0, 'linux', ['/usr/bin/apt-get'], true],
    ['not root', 1000, 'linux', ['/usr/bin/apt-get'], false],
    ['root without apt-get (Alpine, Fedora…)', 0, 'linux', [], false],
    ['macOS', 0, 'darwin', ['/usr/bin/apt-get'], false],
    ['no uid (Windows)', undefined, 'win32', [], false],
  ])('%s', (_name, uid, platform, files, expected) => {
    expect(canInstallWithApt({ ...lookup(files, {}, platform), uid })).toBe(expected);
  });
});

it('the message says what was looked at and what to do', () => {
  const message = notFoundMessage('linux');
  expect(message).toContain('CHROMIUM_PATH');
  expect(message).toContain('/usr/bin/chromium');
  expect(message).toContain('google-chrome on PATH');
  expect(message).toContain('apt-get install chromium');
});
