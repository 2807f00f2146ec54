import { supportedLocale, translator, type MessageKey } from '@closeloop/contracts';
import { esc, publicPage } from '../web/public-page';

/**
 * The recheck page (SPEC §11): one question, 0–10, in the customer's language, right-to-left for Hebrew, a plain HTML
 * form that works without JavaScript. Pure: the state and the locale decide the page. Texts: the alerts catalog's
 * `recheck.*` in the customer's locale (not the team's: the customer reads it).
 */

export type RecheckPageState = 'question' | 'bad_score' | 'thanks' | 'answered' | 'expired' | 'invalid';

const MESSAGE: Record<Exclude<RecheckPageState, 'question'>, MessageKey> = {
  thanks: 'recheck.thanks', answered: 'recheck.answered', expired: 'recheck.expired', invalid: 'recheck.invalid', bad_score: 'recheck.badScore',
};

const STATUS: Record<RecheckPageState, number> = { question: 200, bad_score: 400, thanks: 200, answered: 409, expired: 410, invalid: 404 };

export function renderRecheckPage(state: RecheckPageState, opts: { locale?: string } = {}): { status: number; html: string } {
  // the customer's language (`tr-TR` → `tr`), `en` when Closeloop has no catalog for it (SPEC §14)
  const lang = supportedLocale(opts.locale);
  const i18n = translator(lang);
  const message = state === 'question' ? '' : i18n.t(MESSAGE[state]);
  const form =
    state === 'question' || state === 'bad_score'
      ? [
          // no action: the form posts back to the URL it came from, whatever prefix a proxy put in front of it
          '<form method="post">',
          `<fieldset><legend>${esc(i18n.t('recheck.question'))}</legend>`,
          '<div class="scale">',
          ...Array.from({ length: 11 }, (_, n) => `<label><input type="radio" name="score" value="${n}" required><span>${n}</span></label>`),
          '</div>',
          `<p class="ends"><span>0 = ${esc(i18n.t('recheck.low'))}</span><span>10 = ${esc(i18n.t('recheck.high'))}</span></p>`,
          '</fieldset>',
          `<button type="submit">${esc(i18n.t('recheck.send'))}</button>`,
          '</form>',
        ]
      : [];
  const note = message ? `<p class="${state === 'bad_score' ? 'error' : 'message'}" role="${state === 'bad_score' ? 'alert' : 'status'}">${esc(message)}</p>` : '';
  return { status: STATUS[state], html: publicPage({ lang, title: i18n.t('recheck.title'), body: [note, ...form] }) };
}
