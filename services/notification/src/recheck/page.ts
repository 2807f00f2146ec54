import { esc, pageLanguage, publicPage } from '../web/public-page';

/**
 * The recheck page (SPEC §11): one question, 0–10, in the customer's language, right-to-left for Hebrew, a plain HTML
 * form that works without JavaScript. Pure: the state and the locale decide the page.
 */

export type RecheckPageState = 'question' | 'bad_score' | 'thanks' | 'answered' | 'expired' | 'invalid';

interface PageText {
  title: string;
  question: string;
  low: string;
  high: string;
  send: string;
  thanks: string;
  answered: string;
  expired: string;
  invalid: string;
  badScore: string;
}

/** Reviewed by native speakers before release: keep them short and plain. */
const TEXT: Record<string, PageText> = {
  en: {
    title: 'How are we doing now?',
    question: 'After we followed up, how likely are you to recommend us to a friend?',
    low: 'Not at all likely',
    high: 'Extremely likely',
    send: 'Send',
    thanks: 'Thank you! Your answer has been recorded.',
    answered: 'This question has already been answered. Thank you!',
    expired: 'This link has expired.',
    invalid: 'This link is not valid.',
    badScore: 'Please choose a number from 0 to 10.',
  },
  tr: {
    title: 'Şimdi nasılız?',
    question: 'Sizinle ilgilendikten sonra, bizi bir arkadaşınıza tavsiye etme olasılığınız nedir?',
    low: 'Hiç olası değil',
    high: 'Kesinlikle tavsiye ederim',
    send: 'Gönder',
    thanks: 'Teşekkürler! Yanıtınız kaydedildi.',
    answered: 'Bu soru zaten yanıtlandı. Teşekkürler!',
    expired: 'Bu bağlantının süresi doldu.',
    invalid: 'Bu bağlantı geçerli değil.',
    badScore: 'Lütfen 0 ile 10 arasında bir sayı seçin.',
  },
  zh: {
    title: '我们现在做得怎么样？',
    question: '在我们跟进之后，您有多大可能向朋友推荐我们？',
    low: '完全不可能',
    high: '极有可能',
    send: '提交',
    thanks: '谢谢！您的回答已记录。',
    answered: '此问题已经回答过了。谢谢！',
    expired: '此链接已过期。',
    invalid: '此链接无效。',
    badScore: '请选择 0 到 10 之间的数字。',
  },
  he: {
    title: 'איך אנחנו עכשיו?',
    question: 'אחרי שטיפלנו בפנייה, עד כמה סביר שתמליצו עלינו לחבר?',
    low: 'בכלל לא סביר',
    high: 'סביר מאוד',
    send: 'שליחה',
    thanks: 'תודה! התשובה נרשמה.',
    answered: 'כבר התקבלה תשובה לשאלה הזו. תודה!',
    expired: 'תוקף הקישור פג.',
    invalid: 'הקישור אינו תקף.',
    badScore: 'נא לבחור מספר בין 0 ל-10.',
  },
  id: {
    title: 'Bagaimana kami sekarang?',
    question: 'Setelah kami menindaklanjuti, seberapa besar kemungkinan Anda merekomendasikan kami kepada teman?',
    low: 'Sangat tidak mungkin',
    high: 'Sangat mungkin',
    send: 'Kirim',
    thanks: 'Terima kasih! Jawaban Anda telah dicatat.',
    answered: 'Pertanyaan ini sudah dijawab. Terima kasih!',
    expired: 'Tautan ini sudah kedaluwarsa.',
    invalid: 'Tautan ini tidak valid.',
    badScore: 'Silakan pilih angka dari 0 sampai 10.',
  },
};

/** `tr-TR` → `tr`; anything we have no text for → `en`. */
export function pageLocale(locale: string | undefined): string {
  return pageLanguage(locale, Object.keys(TEXT));
}

const STATUS: Record<RecheckPageState, number> = { question: 200, bad_score: 400, thanks: 200, answered: 409, expired: 410, invalid: 404 };

export function renderRecheckPage(state: RecheckPageState, opts: { locale?: string } = {}): { status: number; html: string } {
  const lang = pageLocale(opts.locale);
  const t = TEXT[lang];
  const message = { thanks: t.thanks, answered: t.answered, expired: t.expired, invalid: t.invalid, bad_score: t.badScore, question: '' }[state];
  const form =
    state === 'question' || state === 'bad_score'
      ? [
          // no action: the form posts back to the URL it came from, whatever prefix a proxy put in front of it
          '<form method="post">',
          `<fieldset><legend>${esc(t.question)}</legend>`,
          '<div class="scale">',
          ...Array.from({ length: 11 }, (_, n) => `<label><input type="radio" name="score" value="${n}" required><span>${n}</span></label>`),
          '</div>',
          `<p class="ends"><span>0 = ${esc(t.low)}</span><span>10 = ${esc(t.high)}</span></p>`,
          '</fieldset>',
          `<button type="submit">${esc(t.send)}</button>`,
          '</form>',
        ]
      : [];
  const note = message ? `<p class="${state === 'bad_score' ? 'error' : 'message'}" role="${state === 'bad_score' ? 'alert' : 'status'}">${esc(message)}</p>` : '';
  return { status: STATUS[state], html: publicPage({ lang, title: t.title, body: [note, ...form] }) };
}
