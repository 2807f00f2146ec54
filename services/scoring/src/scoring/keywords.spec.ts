import { compileKeyword, matchKeywords } from './keywords';

describe('matchKeywords', () => {
  // [comment, keywords, expected matches]
  const cases: [string, string, string[], string[]][] = [
    // the languages of the demo company
    ['English', 'I will call my lawyer', ['lawyer', 'refund'], ['lawyer']],
    ['Turkish, upper case with a suffix', 'AVUKATIMLA görüşeceğim', ['avukat'], ['avukat']],
    ['Turkish dotted capital İ', 'İADE istiyorum', ['iade'], ['iade']],
    ['Turkish keyword written with İ', 'iade edin lütfen', ['İADE'], ['İADE']],
    ['ASCII capital I for Turkish i', 'IADE ISTIYORUM', ['iade'], ['iade']],
    ['dotless ı keyword, capital I comment', 'KIRIK tabak geldi', ['kırık'], ['kırık']],
    ['dotless ı keyword, ASCII comment', 'tabak kirik geldi', ['kırık'], ['kırık']],
    ['dotted keyword, dotless comment', 'ıade', ['iade'], ['iade']],
    ['Turkish typed without Turkish letters', 'yemek cok soguktu', ['soğuk'], ['soğuk']],
    ['Turkish phrase with a suffix', 'garson bize kaba davrandı', ['kaba davran'], ['kaba davran']],
    ['Chinese without spaces', '我要退款', ['退款', '律師'], ['退款']],
    ['Chinese keyword in a longer run', '你们的态度差得很', ['态度差'], ['态度差']],
    ['Hebrew with the prefix ל', 'אני אפנה לעורך דין', ['עורך דין'], ['עורך דין']],
    ['Hebrew with two prefixes', 'ולעורך דין שלי', ['עורך דין'], ['עורך דין']],
    ['Hebrew with vowel points', 'אֶפְנֶה לְעוֹרֵךְ דִּין', ['עורך דין'], ['עורך דין']],
    ['Hebrew final letter inside a longer word', 'ההחזרים לא הגיעו', ['החזר'], ['החזר']],
    ['Indonesian with -nya', 'pelayannya kasar sekali', ['kasar'], ['kasar']],
    ['Indonesian phrase', 'Saya minta PENGEMBALIAN DANA', ['pengembalian dana'], ['pengembalian dana']],
    ['Arabic with the prefixes ب and ال', 'سأتصل بالمحامي', ['محامي'], ['محامي']],
    ['Japanese', '返金してください', ['返金'], ['返金']],
    ['Japanese half-width katakana', 'ﾍﾝｷﾝして', ['ヘンキン'], ['ヘンキン']],
    ['full-width Latin', 'ＲＥＦＵＮＤ please', ['refund'], ['refund']],
    ['Latin word right after Chinese', '我要refund', ['refund'], ['refund']],
    ['German ß', 'DIE STRASSE WAR ZU', ['straße'], ['straße']],
    ['Greek final sigma', 'ΠΟΛΥ ΚΑΚΟΣ', ['κακός'], ['κακός']],
    ['decomposed accents in the comment', 'Cafe\u0301 was cold', ['café'], ['café']],
    ['any whitespace between words of a phrase', 'we will sue\n   you', ['sue you'], ['sue you']],
    ['several keywords, in routing-file order', 'refund now or my lawyer calls', ['lawyer', 'refund'], ['lawyer', 'refund']],
    ['regex characters are literal', 'price (was) 10$?', ['(was) 10$'], ['(was) 10$']],
    // word starts keep short keywords out of other words
    ['"sue you" is not in "issue you"', 'we will issue you a voucher', ['sue you'], []],
    ['"rude" is not in "crude"', 'crude oil smell', ['rude'], []],
    ['"dava" is not in "kadavra"', 'kadavra gibi', ['dava'], []],
    ['suffixes are allowed: plural', 'their lawyers called', ['lawyer'], ['lawyer']],
    // accents: optional when the keyword has them, but a different accent is a different word
    ['Vietnamese: a different accent does not match', 'cái bàn này', ['bẩn'], []],
    ['Vietnamese: typed without accents matches', 'phong ban qua', ['bẩn'], ['bẩn']],
    ['an accent the keyword lacks does not match', 'sögük', ['soguk'], []],
    // documented limit: other languages' prefixes are not guessed; list those forms in the routing file
    ['Indonesian prefix meng- is not guessed', 'saya akan menggugat', ['gugat'], []],
    ['…so the prefixed form is listed instead', 'saya akan menggugat', ['gugat', 'menggugat'], ['menggugat']],
    ['no comment', '', ['lawyer'], []],
  ];

  it.each(cases)('%s', (_what, comment, keywords, expected) => {
    expect(matchKeywords(comment, keywords)).toEqual(expected);
  });

  it('matches nothing when there is no comment or no keyword', () => {
    expect(matchKeywords(undefined, ['lawyer'])).toEqual([]);
    expect(matchKeywords(null, ['lawyer'])).toEqual([]);
    expect(matchKeywords('lawyer', [])).toEqual([]);
  });

  it('compiles a keyword that folds to nothing to null, and ignores it', () => {
    expect(compileKeyword('   ')).toBeNull();
    expect(matchKeywords('anything', ['  '])).toEqual([]);
  });

  it('reuses the compiled list for the same keyword array', () => {
    const keywords = ['refund'];
    expect(matchKeywords('refund', keywords)).toEqual(['refund']);
    expect(matchKeywords('no', keywords)).toEqual([]);
  });
});
