/**
 * ISO 3166-1 countries: alpha-2 code, alpha-3 code, and the English names and aliases we map to the alpha-2 code.
 * The first name is the common English short name; ISO's formal/inverted spellings and everyday aliases follow.
 *
 * Deliberately ambiguous names are left out (e.g. plain "Korea"), so they are omitted instead of guessed.
 * `xk` (Kosovo) is not an ISO 3166-1 code but is the user-assigned code in general use (EU, libphonenumber), so it is
 * accepted.
 */
export interface CountryEntry {
  readonly alpha2: string;
  readonly alpha3: string;
  readonly names: readonly string[];
}

type Row = readonly [alpha2: string, alpha3: string, ...names: string[]];

const ROWS: readonly Row[] = [
  ['ad', 'and', 'Andorra'],
  ['ae', 'are', 'United Arab Emirates', 'UAE', 'U.A.E.', 'Emirates'],
  ['af', 'afg', 'Afghanistan'],
  ['ag', 'atg', 'Antigua and Barbuda', 'Antigua'],
  ['ai', 'aia', 'Anguilla'],
  ['al', 'alb', 'Albania'],
  ['am', 'arm', 'Armenia'],
  ['ao', 'ago', 'Angola'],
  ['aq', 'ata', 'Antarctica'],
  ['ar', 'arg', 'Argentina'],
  ['as', 'asm', 'American Samoa'],
  ['at', 'aut', 'Austria'],
  ['au', 'aus', 'Australia'],
  ['aw', 'abw', 'Aruba'],
  ['ax', 'ala', 'Åland Islands', 'Aland'],
  ['az', 'aze', 'Azerbaijan'],
  ['ba', 'bih', 'Bosnia and Herzegovina', 'Bosnia-Herzegovina', 'Bosnia'],
  ['bb', 'brb', 'Barbados'],
  ['bd', 'bgd', 'Bangladesh'],
  ['be', 'bel', 'Belgium'],
  ['bf', 'bfa', 'Burkina Faso'],
  ['bg', 'bgr', 'Bulgaria'],
  ['bh', 'bhr', 'Bahrain'],
  ['bi', 'bdi', 'Burundi'],
  ['bj', 'ben', 'Benin'],
  ['bl', 'blm', 'Saint Barthélemy', 'Saint Barthelemy', 'Saint Barts', 'St Barts'],
  ['bm', 'bmu', 'Bermuda'],
  ['bn', 'brn', 'Brunei', 'Brunei Darussalam'],
  ['bo', 'bol', 'Bolivia', 'Bolivia, Plurinational State of', 'Plurinational State of Bolivia'],
  ['bq', 'bes', 'Caribbean Netherlands', 'Bonaire, Sint Eustatius and Saba', 'Bonaire'],
  ['br', 'bra', 'Brazil', 'Brasil'],
  ['bs', 'bhs', 'Bahamas', 'Bahamas, The'],
  ['bt', 'btn', 'Bhutan'],
  ['bv', 'bvt', 'Bouvet Island'],
  ['bw', 'bwa', 'Botswana'],
  ['by', 'blr', 'Belarus'],
  ['bz', 'blz', 'Belize'],
  ['ca', 'can', 'Canada'],
  ['cc', 'cck', 'Cocos (Keeling) Islands', 'Cocos Islands', 'Keeling Islands'],
  ['cd', 'cod', 'Democratic Republic of the Congo', 'Congo, Democratic Republic of the', 'Congo, The Democratic Republic of the', 'DR Congo', 'DRC', 'Congo-Kinshasa'],
  ['cf', 'caf', 'Central African Republic'],
  ['cg', 'cog', 'Republic of the Congo', 'Congo', 'Congo-Brazzaville', 'Congo Republic'],
  ['ch', 'che', 'Switzerland'],
  ['ci', 'civ', "Côte d'Ivoire", "Cote d'Ivoire", 'Ivory Coast'],
  ['ck', 'cok', 'Cook Islands'],
  ['cl', 'chl', 'Chile'],
  ['cm', 'cmr', 'Cameroon'],
  ['cn', 'chn', 'China', "People's Republic of China", 'PRC', 'Mainland China'],
  ['co', 'col', 'Colombia'],
  ['cr', 'cri', 'Costa Rica'],
  ['cu', 'cub', 'Cuba'],
  ['cv', 'cpv', 'Cabo Verde', 'Cape Verde'],
  ['cw', 'cuw', 'Curaçao', 'Curacao'],
  ['cx', 'cxr', 'Christmas Island'],
  ['cy', 'cyp', 'Cyprus'],
  ['cz', 'cze', 'Czechia', 'Czech Republic'],
  ['de', 'deu', 'Germany', 'Deutschland'],
  ['dj', 'dji', 'Djibouti'],
  ['dk', 'dnk', 'Denmark'],
  ['dm', 'dma', 'Dominica'],
  ['do', 'dom', 'Dominican Republic'],
  ['dz', 'dza', 'Algeria'],
  ['ec', 'ecu', 'Ecuador'],
  ['ee', 'est', 'Estonia'],
  ['eg', 'egy', 'Egypt'],
  ['eh', 'esh', 'Western Sahara'],
  ['er', 'eri', 'Eritrea'],
  ['es', 'esp', 'Spain', 'España'],
  ['et', 'eth', 'Ethiopia'],
  ['fi', 'fin', 'Finland'],
  ['fj', 'fji', 'Fiji'],
  ['fk', 'flk', 'Falkland Islands', 'Falkland Islands (Malvinas)', 'Falklands'],
  ['fm', 'fsm', 'Micronesia', 'Micronesia, Federated States of', 'Federated States of Micronesia'],
  ['fo', 'fro', 'Faroe Islands', 'Faroes'],
  ['fr', 'fra', 'France'],
  ['ga', 'gab', 'Gabon'],
  ['gb', 'gbr', 'United Kingdom', 'UK', 'U.K.', 'Great Britain', 'Britain', 'United Kingdom of Great Britain and Northern Ireland', 'England', 'Scotland', 'Wales', 'Northern Ireland'],
  ['gd', 'grd', 'Grenada'],
  ['ge', 'geo', 'Georgia'],
  ['gf', 'guf', 'French Guiana'],
  ['gg', 'ggy', 'Guernsey'],
  ['gh', 'gha', 'Ghana'],
  ['gi', 'gib', 'Gibraltar'],
  ['gl', 'grl', 'Greenland'],
  ['gm', 'gmb', 'Gambia', 'Gambia, The'],
  ['gn', 'gin', 'Guinea'],
  ['gp', 'glp', 'Guadeloupe'],
  ['gq', 'gnq', 'Equatorial Guinea'],
  ['gr', 'grc', 'Greece'],
  ['gs', 'sgs', 'South Georgia and the South Sandwich Islands'],
  ['gt', 'gtm', 'Guatemala'],
  ['gu', 'gum', 'Guam'],
  ['gw', 'gnb', 'Guinea-Bissau'],
  ['gy', 'guy', 'Guyana'],
  ['hk', 'hkg', 'Hong Kong', 'Hong Kong SAR'],
  ['hm', 'hmd', 'Heard Island and McDonald Islands'],
  ['hn', 'hnd', 'Honduras'],
  ['hr', 'hrv', 'Croatia', 'Hrvatska'],
  ['ht', 'hti', 'Haiti'],
  ['hu', 'hun', 'Hungary'],
  ['id', 'idn', 'Indonesia'],
  ['ie', 'irl', 'Ireland', 'Republic of Ireland', 'Eire'],
  ['il', 'isr', 'Israel'],
  ['im', 'imn', 'Isle of Man'],
  ['in', 'ind', 'India'],
  ['io', 'iot', 'British Indian Ocean Territory'],
  ['iq', 'irq', 'Iraq'],
  ['ir', 'irn', 'Iran', 'Iran, Islamic Republic of', 'Islamic Republic of Iran'],
  ['is', 'isl', 'Iceland'],
  ['it', 'ita', 'Italy', 'Italia'],
  ['je', 'jey', 'Jersey'],
  ['jm', 'jam', 'Jamaica'],
  ['jo', 'jor', 'Jordan'],
  ['jp', 'jpn', 'Japan'],
  ['ke', 'ken', 'Kenya'],
  ['kg', 'kgz', 'Kyrgyzstan', 'Kyrgyz Republic'],
  ['kh', 'khm', 'Cambodia'],
  ['ki', 'kir', 'Kiribati'],
  ['km', 'com', 'Comoros'],
  ['kn', 'kna', 'Saint Kitts and Nevis'],
  ['kp', 'prk', 'North Korea', "Korea, Democratic People's Republic of", "Democratic People's Republic of Korea", 'DPRK'],
  ['kr', 'kor', 'South Korea', 'Korea, Republic of', 'Republic of Korea'],
  ['kw', 'kwt', 'Kuwait'],
  ['ky', 'cym', 'Cayman Islands'],
  ['kz', 'kaz', 'Kazakhstan'],
  ['la', 'lao', 'Laos', "Lao People's Democratic Republic", 'Lao PDR'],
  ['lb', 'lbn', 'Lebanon'],
  ['lc', 'lca', 'Saint Lucia'],
  ['li', 'lie', 'Liechtenstein'],
  ['lk', 'lka', 'Sri Lanka'],
  ['lr', 'lbr', 'Liberia'],
  ['ls', 'lso', 'Lesotho'],
  ['lt', 'ltu', 'Lithuania'],
  ['lu', 'lux', 'Luxembourg'],
  ['lv', 'lva', 'Latvia'],
  ['ly', 'lby', 'Libya'],
  ['ma', 'mar', 'Morocco'],
  ['mc', 'mco', 'Monaco'],
  ['md', 'mda', 'Moldova', 'Moldova, Republic of', 'Republic of Moldova'],
  ['me', 'mne', 'Montenegro'],
  ['mf', 'maf', 'Saint Martin', 'Saint Martin (French part)'],
  ['mg', 'mdg', 'Madagascar'],
  ['mh', 'mhl', 'Marshall Islands'],
  ['mk', 'mkd', 'North Macedonia', 'Macedonia', 'Republic of North Macedonia'],
  ['ml', 'mli', 'Mali'],
  ['mm', 'mmr', 'Myanmar', 'Burma'],
  ['mn', 'mng', 'Mongolia'],
  ['mo', 'mac', 'Macao', 'Macau', 'Macao SAR'],
  ['mp', 'mnp', 'Northern Mariana Islands'],
  ['mq', 'mtq', 'Martinique'],
  ['mr', 'mrt', 'Mauritania'],
  ['ms', 'msr', 'Montserrat'],
  ['mt', 'mlt', 'Malta'],
  ['mu', 'mus', 'Mauritius'],
  ['mv', 'mdv', 'Maldives'],
  ['mw', 'mwi', 'Malawi'],
  ['mx', 'mex', 'Mexico', 'México'],
  ['my', 'mys', 'Malaysia'],
  ['mz', 'moz', 'Mozambique'],
  ['na', 'nam', 'Namibia'],
  ['nc', 'ncl', 'New Caledonia'],
  ['ne', 'ner', 'Niger'],
  ['nf', 'nfk', 'Norfolk Island'],
  ['ng', 'nga', 'Nigeria'],
  ['ni', 'nic', 'Nicaragua'],
  ['nl', 'nld', 'Netherlands', 'Holland', 'Nederland'],
  ['no', 'nor', 'Norway'],
  ['np', 'npl', 'Nepal'],
  ['nr', 'nru', 'Nauru'],
  ['nu', 'niu', 'Niue'],
  ['nz', 'nzl', 'New Zealand', 'Aotearoa'],
  ['om', 'omn', 'Oman'],
  ['pa', 'pan', 'Panama'],
  ['pe', 'per', 'Peru'],
  ['pf', 'pyf', 'French Polynesia'],
  ['pg', 'png', 'Papua New Guinea'],
  ['ph', 'phl', 'Philippines'],
  ['pk', 'pak', 'Pakistan'],
  ['pl', 'pol', 'Poland', 'Polska'],
  ['pm', 'spm', 'Saint Pierre and Miquelon'],
  ['pn', 'pcn', 'Pitcairn', 'Pitcairn Islands'],
  ['pr', 'pri', 'Puerto Rico'],
  ['ps', 'pse', 'Palestine', 'Palestine, State of', 'State of Palestine', 'Palestinian Territories'],
  ['pt', 'prt', 'Portugal'],
  ['pw', 'plw', 'Palau'],
  ['py', 'pry', 'Paraguay'],
  ['qa', 'qat', 'Qatar'],
  ['re', 'reu', 'Réunion', 'Reunion'],
  ['ro', 'rou', 'Romania'],
  ['rs', 'srb', 'Serbia'],
  ['ru', 'rus', 'Russia', 'Russian Federation'],
  ['rw', 'rwa', 'Rwanda'],
  ['sa', 'sau', 'Saudi Arabia', 'KSA', 'Kingdom of Saudi Arabia'],
  ['sb', 'slb', 'Solomon Islands'],
  ['sc', 'syc', 'Seychelles'],
  ['sd', 'sdn', 'Sudan'],
  ['se', 'swe', 'Sweden', 'Sverige'],
  ['sg', 'sgp', 'Singapore'],
  ['sh', 'shn', 'Saint Helena', 'Saint Helena, Ascension and Tristan da Cunha'],
  ['si', 'svn', 'Slovenia'],
  ['sj', 'sjm', 'Svalbard and Jan Mayen'],
  ['sk', 'svk', 'Slovakia', 'Slovak Republic'],
  ['sl', 'sle', 'Sierra Leone'],
  ['sm', 'smr', 'San Marino'],
  ['sn', 'sen', 'Senegal'],
  ['so', 'som', 'Somalia'],
  ['sr', 'sur', 'Suriname', 'Surinam'],
  ['ss', 'ssd', 'South Sudan'],
  ['st', 'stp', 'Sao Tome and Principe', 'São Tomé and Príncipe'],
  ['sv', 'slv', 'El Salvador'],
  ['sx', 'sxm', 'Sint Maarten', 'Sint Maarten (Dutch part)'],
  ['sy', 'syr', 'Syria', 'Syrian Arab Republic'],
  ['sz', 'swz', 'Eswatini', 'Swaziland'],
  ['tc', 'tca', 'Turks and Caicos Islands', 'Turks and Caicos'],
  ['td', 'tcd', 'Chad'],
  ['tf', 'atf', 'French Southern Territories', 'French Southern and Antarctic Lands'],
  ['tg', 'tgo', 'Togo'],
  ['th', 'tha', 'Thailand'],
  ['tj', 'tjk', 'Tajikistan'],
  ['tk', 'tkl', 'Tokelau'],
  ['tl', 'tls', 'Timor-Leste', 'East Timor'],
  ['tm', 'tkm', 'Turkmenistan'],
  ['tn', 'tun', 'Tunisia'],
  ['to', 'ton', 'Tonga'],
  ['tr', 'tur', 'Türkiye', 'Turkiye', 'Turkey'],
  ['tt', 'tto', 'Trinidad and Tobago', 'Trinidad'],
  ['tv', 'tuv', 'Tuvalu'],
  ['tw', 'twn', 'Taiwan', 'Taiwan, Province of China'],
  ['tz', 'tza', 'Tanzania', 'Tanzania, United Republic of', 'United Republic of Tanzania'],
  ['ua', 'ukr', 'Ukraine'],
  ['ug', 'uga', 'Uganda'],
  ['um', 'umi', 'United States Minor Outlying Islands', 'U.S. Minor Outlying Islands'],
  ['us', 'usa', 'United States', 'US', 'U.S.', 'USA', 'U.S.A.', 'United States of America', 'America'],
  ['uy', 'ury', 'Uruguay'],
  ['uz', 'uzb', 'Uzbekistan'],
  ['va', 'vat', 'Holy See', 'Vatican City', 'Vatican', 'Vatican City State', 'Holy See (Vatican City State)'],
  ['vc', 'vct', 'Saint Vincent and the Grenadines'],
  ['ve', 'ven', 'Venezuela', 'Venezuela, Bolivarian Republic of', 'Bolivarian Republic of Venezuela'],
  ['vg', 'vgb', 'British Virgin Islands', 'Virgin Islands, British', 'Virgin Islands (British)'],
  ['vi', 'vir', 'U.S. Virgin Islands', 'US Virgin Islands', 'United States Virgin Islands', 'Virgin Islands, U.S.', 'Virgin Islands (U.S.)'],
  ['vn', 'vnm', 'Vietnam', 'Viet Nam'],
  ['vu', 'vut', 'Vanuatu'],
  ['wf', 'wlf', 'Wallis and Futuna'],
  ['ws', 'wsm', 'Samoa'],
  ['xk', 'xkx', 'Kosovo'],
  ['ye', 'yem', 'Yemen'],
  ['yt', 'myt', 'Mayotte'],
  ['za', 'zaf', 'South Africa'],
  ['zm', 'zmb', 'Zambia'],
  ['zw', 'zwe', 'Zimbabwe'],
];

export const COUNTRIES: readonly CountryEntry[] = Object.freeze(
  ROWS.map(([alpha2, alpha3, ...names]) => Object.freeze({ alpha2, alpha3, names: Object.freeze(names) })),
);

/** Every accepted alpha-2 code, lowercase. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(COUNTRIES.map((c) => c.alpha2));

/**
 * Lookup key for a country name: accents folded, lowercase, "&" read as "and", a leading "the" dropped, and
 * everything that is not a letter or digit removed ("The Côte d'Ivoire" → "cotedivoire").
 */
export function countryLookupKey(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .trim()
    .replace(/^the[\s\p{P}]+/u, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** "Saint Lucia" is also written "St Lucia" / "St. Lucia"; register both spellings. */
function spellings(name: string): string[] {
  const m = /^saint\s+(.*)$/i.exec(name);
  return m ? [name, `St ${m[1]}`] : [name];
}

const BY_KEY: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const c of COUNTRIES) {
    map.set(c.alpha2, c.alpha2);
    map.set(c.alpha3, c.alpha2);
    for (const name of c.names) for (const s of spellings(name)) map.set(countryLookupKey(s), c.alpha2);
  }
  return map;
})();

/**
 * Lowercase ISO 3166-1 alpha-2 code for an alpha-2 code (any case), an alpha-3 code, or an English country name
 * or alias; `undefined` when there is no mapping. Expects a single country, not free text.
 */
export function toCountryCode(value: string): string | undefined {
  const key = countryLookupKey(value.normalize('NFC'));
  return key === '' ? undefined : BY_KEY.get(key);
}

