/**
 * Unicode script of a code point, for SentencePiece's piece-validity rule (split_by_unicode_script).
 * SentencePiece uses a table generated from Scripts-9.0.0.txt (unlisted code points are Common); we ask the
 * JavaScript engine's `\p{Script=...}` (a newer Unicode), so only characters added after Unicode 9.0
 * can differ (tokenizer.md §3.5). Results are cached per code point.
 */

/** Script ids used by the validity check. */
export const SCRIPT_COMMON = 0;
export const SCRIPT_INHERITED = 1;
export const SCRIPT_HAN = 2;

// Most frequent first, so a lookup usually stops early. Names the engine does not know are skipped.
const NAMES = [
  'Common', 'Inherited', 'Han', 'Latin', 'Cyrillic', 'Greek', 'Arabic', 'Hebrew', 'Hiragana', 'Katakana',
  'Hangul', 'Thai', 'Devanagari', 'Bengali', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Gujarati', 'Gurmukhi',
  'Oriya', 'Sinhala', 'Armenian', 'Georgian', 'Ethiopic', 'Khmer', 'Lao', 'Myanmar', 'Tibetan', 'Mongolian',
  'Thaana', 'Syriac', 'Bopomofo', 'Yi', 'Cherokee', 'Canadian_Aboriginal', 'Ogham', 'Runic', 'Braille',
  'Coptic', 'Gothic', 'Old_Italic', 'Deseret', 'Tagalog', 'Hanunoo', 'Buhid', 'Tagbanwa', 'Limbu', 'Tai_Le',
  'Linear_B', 'Ugaritic', 'Shavian', 'Osmanya', 'Cypriot', 'Buginese', 'Glagolitic', 'Tifinagh', 'Syloti_Nagri',
  'Old_Persian', 'Kharoshthi', 'New_Tai_Lue', 'Balinese', 'Cuneiform', 'Phoenician', 'Phags_Pa', 'Nko',
  'Sundanese', 'Lepcha', 'Ol_Chiki', 'Vai', 'Saurashtra', 'Kayah_Li', 'Rejang', 'Lycian', 'Carian', 'Lydian',
  'Cham', 'Tai_Tham', 'Tai_Viet', 'Avestan', 'Egyptian_Hieroglyphs', 'Samaritan', 'Lisu', 'Bamum', 'Javanese',
  'Meetei_Mayek', 'Imperial_Aramaic', 'Old_South_Arabian', 'Inscriptional_Parthian', 'Inscriptional_Pahlavi',
  'Old_Turkic', 'Kaithi', 'Batak', 'Brahmi', 'Mandaic', 'Chakma', 'Meroitic_Cursive', 'Meroitic_Hieroglyphs',
  'Miao', 'Sharada', 'Sora_Sompeng', 'Takri', 'Caucasian_Albanian', 'Bassa_Vah', 'Duployan', 'Elbasan', 'Grantha',
  'Pahawh_Hmong', 'Khojki', 'Linear_A', 'Mahajani', 'Manichaean', 'Mende_Kikakui', 'Modi', 'Mro', 'Old_North_Arabian',
  'Nabataean', 'Palmyrene', 'Pau_Cin_Hau', 'Old_Permic', 'Psalter_Pahlavi', 'Siddham', 'Khudawadi', 'Tirhuta',
  'Warang_Citi', 'Ahom', 'Anatolian_Hieroglyphs', 'Hatran', 'Multani', 'Old_Hungarian', 'SignWriting', 'Adlam',
  'Bhaiksuki', 'Marchen', 'Newa', 'Osage', 'Tangut', 'Masaram_Gondi', 'Nushu', 'Soyombo', 'Zanabazar_Square',
  'Dogra', 'Gunjala_Gondi', 'Makasar', 'Medefaidrin', 'Hanifi_Rohingya', 'Sogdian', 'Old_Sogdian', 'Elymaic',
  'Nandinagari', 'Nyiakeng_Puachue_Hmong', 'Wancho', 'Chorasmian', 'Dives_Akuru', 'Khitan_Small_Script', 'Yezidi',
  'Cypro_Minoan', 'Old_Uyghur', 'Tangsa', 'Toto', 'Vithkuqi', 'Kawi', 'Nag_Mundari',
];

let regexes: { id: number; re: RegExp }[] | null = null;
const cache = new Map<number, number>();

function compile(): { id: number; re: RegExp }[] {
  const out: { id: number; re: RegExp }[] = [];
  NAMES.forEach((name, id) => {
    try {
      out.push({ id, re: new RegExp(`^\\p{Script=${name}}$`, 'u') });
    } catch {
      // not known to this engine
    }
  });
  return out;
}

/**
 * Script id of cp, with SentencePiece's folding: Hiragana, Katakana and U+30FC count as Han; code points
 * without a script are Common.
 */
export function scriptOf(cp: number): number {
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  regexes ??= compile();
  const s = String.fromCodePoint(cp);
  let id = SCRIPT_COMMON;
  for (const r of regexes) {
    if (r.re.test(s)) { id = r.id; break; }
  }
  if (id === 8 || id === 9 || cp === 0x30fc) id = SCRIPT_HAN; // Hiragana, Katakana, prolonged sound mark
  cache.set(cp, id);
  return id;
}
