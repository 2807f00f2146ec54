import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRoutingConfig } from '../routing/parse-routing-config';
import type { Templates } from '../routing/routing-config';
import { localeFallbacks, renderTemplate, type TemplateValues } from './render';
import { smsSegments } from './sms-segments';

const TEMPLATES: Templates = {
  apology: {
    en: {
      sms: 'Hi {{customer.name}}, this is {{agent.name}}. Sorry about {{touchpoint}}. Ref {{ticket.id}}',
      email: { subject: 'Sorry, {{customer.name}}', body: 'Hi {{customer.name}},\n{{agent.name}}' },
    },
    tr: { sms: 'Merhaba {{customer.name}}, ben {{agent.name}}.' },
    'zh-Hant': { sms: '{{customer.name}}您好，我是{{agent.name}}。' },
    zh: { sms: '{{customer.name}}您好，我是{{agent.name}}。', email: { subject: '{{customer.name}}，我们向您致歉', body: '{{customer.name}}您好：\n{{agent.name}}' } },
  },
  smsOnly: { en: { sms: 'Hi {{customer.name}}' } },
};
const VALUES: TemplateValues = { 'customer.name': 'Ayşe', 'agent.name': 'Mehmet', touchpoint: 'checkout', 'ticket.id': 't-42', recheckUrl: 'https://cl.example/r/abc' };

describe('localeFallbacks', () => {
  it.each<[string | undefined | null, string[]]>([
    ['tr-TR', ['tr-TR', 'tr', 'en']],
    ['tr_TR', ['tr-TR', 'tr', 'en']],
    ['zh-Hant-TW', ['zh-Hant-TW', 'zh-Hant', 'zh', 'en']],
    ['he', ['he', 'en']],
    ['en-GB', ['en-GB', 'en']],
    ['EN', ['EN']],
    ['', ['en']],
    [undefined, ['en']],
    [null, ['en']],
  ])('%s → %j', (locale, chain) => {
    expect(localeFallbacks(locale)).toEqual(chain);
  });
});

describe('renderTemplate', () => {
  it.each<[string | undefined, 'sms' | 'email', string, string]>([
    ['tr-TR', 'sms', 'tr', 'Merhaba Ayşe, ben Mehmet.'],
    ['TR', 'sms', 'tr', 'Merhaba Ayşe, ben Mehmet.'],
    ['zh-Hant-TW', 'sms', 'zh-Hant', 'Ayşe您好，我是Mehmet。'],
    ['zh-CN', 'sms', 'zh', 'Ayşe您好，我是Mehmet。'],
    ['fr-FR', 'sms', 'en', 'Hi Ayşe, this is Mehmet. Sorry about checkout. Ref t-42'],
    [undefined, 'sms', 'en', 'Hi Ayşe, this is Mehmet. Sorry about checkout. Ref t-42'],
    // tr has no email: the fallback is per channel
    ['tr-TR', 'email', 'en', 'Hi Ayşe,\nMehmet'],
    ['zh-Hant', 'email', 'zh', 'Ayşe您好：\nMehmet'],
  ])('%s %s → the %s text', (locale, channel, usedLocale, text) => {
    const r = renderTemplate(TEMPLATES, 'apology', channel, locale, VALUES);
    if (!r.ok) throw new Error(r.message);
    expect([r.message.locale, r.message.text]).toEqual([usedLocale, text]);
  });

  it('renders the subject of an email', () => {
    const r = renderTemplate(TEMPLATES, 'apology', 'email', 'zh', VALUES);
    expect(r.ok && r.message.channel === 'email' && r.message.subject).toBe('Ayşe，我们向您致歉');
  });

  it('inserts values verbatim on both channels (plain text): no escaping, no second expansion', () => {
    const values = { ...VALUES, 'customer.name': `O'Brien <b>&amp; {{ticket.id}}` };
    const sms = renderTemplate(TEMPLATES, 'apology', 'sms', 'tr', values);
    const email = renderTemplate(TEMPLATES, 'apology', 'email', 'en', values);
    expect(sms.ok && sms.message.text).toBe(`Merhaba O'Brien <b>&amp; {{ticket.id}}, ben Mehmet.`);
    expect(email.ok && email.message.text).toBe(`Hi O'Brien <b>&amp; {{ticket.id}},\nMehmet`);
  });

  it('keeps a value\'s line breaks out of the subject, a mail header', () => {
    const r = renderTemplate(TEMPLATES, 'apology', 'email', 'en', { ...VALUES, 'customer.name': 'Ayşe\r\nBcc: all@example.com' });
    expect(r.ok && r.message.channel === 'email' && [r.message.subject, r.message.text]).toEqual([
      'Sorry, Ayşe Bcc: all@example.com',
      'Hi Ayşe\r\nBcc: all@example.com,\nMehmet',
    ]);
  });

  it.each<[string, string, 'sms' | 'email', TemplateValues, { reason: string; message: string }]>([
    ['a missing value', 'apology', 'sms', { ...VALUES, 'agent.name': undefined }, {
      reason: 'missing-value', message: 'template "apology" (en, sms) needs {{agent.name}}, which has no value',
    }],
    ['blank values, each named once', 'apology', 'sms', { touchpoint: 'checkout', 'customer.name': '  ', 'ticket.id': '' }, {
      reason: 'missing-value', message: 'template "apology" (en, sms) needs {{customer.name}}, {{agent.name}}, {{ticket.id}}, which have no value',
    }],
    ['a missing value in an email subject', 'apology', 'email', { 'agent.name': 'Mehmet' }, {
      reason: 'missing-value', message: 'template "apology" (en, email) needs {{customer.name}}, which has no value',
    }],
    ['an unknown template', 'sorry', 'sms', VALUES, { reason: 'unknown-template', message: 'unknown template "sorry" (templates: apology, smsOnly)' }],
    ['a name from Object.prototype', 'toString', 'sms', VALUES, { reason: 'unknown-template', message: 'unknown template "toString" (templates: apology, smsOnly)' }],
    ['a channel no locale has', 'smsOnly', 'email', VALUES, {
      reason: 'no-text-for-channel', message: 'template "smsOnly" has no email text for "he" nor for "en"',
    }],
  ])('fails on %s, naming it', (_case, name, channel, values, expected) => {
    const r = renderTemplate(TEMPLATES, name, channel, 'he', values);
    expect(r.ok ? r.message : { reason: r.reason, message: r.message }).toEqual(expected);
  });

  it('refuses a text that never went through the routing-file validation', () => {
    const r = renderTemplate({ x: { en: { sms: 'Hi {{customer.name}' } } }, 'x', 'sms', 'en', VALUES);
    expect(r.ok ? r.message : r.reason).toBe('invalid-template');
  });

  it('with no templates at all, says so', () => {
    const r = renderTemplate({}, 'apology', 'sms', 'en', VALUES);
    expect(r.ok ? r.message : r.message).toBe('unknown template "apology" (templates: none in the routing file)');
  });
});

describe('config/closeloop.yaml templates', () => {
  const parsed = parseRoutingConfig(readFileSync(join(__dirname, '../../../../config/closeloop.yaml'), 'utf8'), 'config/closeloop.yaml');
  if (!parsed.ok) throw new Error(parsed.message);
  const { templates } = parsed.config;
  const values: TemplateValues = {
    'customer.name': 'Deniz', 'agent.name': 'Budi Santoso', touchpoint: 'delivery',
    'ticket.id': 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', recheckUrl: 'https://closeloop.example.com/r/eyJ0IjoiYjNmMWMyZDQiLCJlIjoxNzY0NTQ0MDAwfQ.Zm9vYmFy',
  };

  it('has apology and recheck in en, tr, zh, he and id, each with an SMS and an email', () => {
    expect(Object.fromEntries(Object.entries(templates).map(([name, byLocale]) => [
      name, Object.entries(byLocale).map(([locale, t]) => `${locale}:${t.sms ? 'sms' : ''}+${t.email ? 'email' : ''}`),
    ]))).toEqual({
      apology: ['en:sms+email', 'tr:sms+email', 'zh:sms+email', 'he:sms+email', 'id:sms+email'],
      recheck: ['en:sms+email', 'tr:sms+email', 'zh:sms+email', 'he:sms+email', 'id:sms+email'],
    });
  });

  it.each(['apology', 'recheck'].flatMap((name) => ['en', 'tr', 'zh', 'he', 'id'].map((locale) => [name, locale])))(
    '%s in %s renders in its own language on both channels, the SMS in at most 3 parts',
    (name, locale) => {
      const sms = renderTemplate(templates, name, 'sms', `${locale}-XX`, values);
      const email = renderTemplate(templates, name, 'email', locale, values);
      if (!sms.ok) throw new Error(sms.message);
      if (!email.ok) throw new Error(email.message);
      expect([sms.message.locale, email.message.locale]).toEqual([locale, locale]);
      for (const text of [sms.message.text, email.message.text]) {
        expect(text).toContain('Deniz');
        expect(text).not.toMatch(/\{\{|\}\}|undefined/);
        if (name === 'recheck') expect(text).toContain(values.recheckUrl);
      }
      expect(smsSegments(sms.message.text).segments).toBeLessThanOrEqual(3);
    },
  );

  it('Indonesian and English SMS go as GSM-7; Turkish, Chinese and Hebrew need UCS-2', () => {
    const encodings = ['en', 'tr', 'zh', 'he', 'id'].map((locale) => {
      const r = renderTemplate(templates, 'apology', 'sms', locale, values);
      return r.ok ? `${locale}:${smsSegments(r.message.text).encoding}` : r.message;
    });
    expect(encodings).toEqual(['en:GSM-7', 'tr:UCS-2', 'zh:UCS-2', 'he:UCS-2', 'id:GSM-7']);
  });
});
