import { mulberry32 } from '../shared/random';

// Demo catalogue for GREENFOOD and a pure, seeded generator over it.
// Kept free of I/O so tests can regenerate exactly what seed.ts inserted.

export type Storage = 'ambient' | 'chilled' | 'frozen';
export type Plan = 'starter' | 'standard' | 'premium';
export type Tier = 'retail' | 'b2b' | 'vip';
export type Priority = 'vip' | 'regular' | 'background';

export const DEFAULT_SEED = 20251204;

// ---------------------------------------------------------------------------
// Deterministic randomness

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  shuffle<T>(items: readonly T[]): T[];
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (p: number): boolean => next() < p,
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        const a = out[i] as T;
        out[i] = out[j] as T;
        out[j] = a;
      }
      return out;
    },
  };
}

// ---------------------------------------------------------------------------
// Reference data

export const BUYER_TIERS: readonly { tier: Tier; discountBp: number; paymentTermsDays: number; priority: Priority }[] = [
  { tier: 'retail', discountBp: 0, paymentTermsDays: 0, priority: 'regular' },
  { tier: 'b2b', discountBp: 500, paymentTermsDays: 14, priority: 'regular' },
  { tier: 'vip', discountBp: 1000, paymentTermsDays: 7, priority: 'vip' },
];

export interface ZoneSeed {
  code: string;
  temperatureZone: Storage;
  minCelsius: number;
  maxCelsius: number;
  racks: number;
}

export interface HubSeed {
  code: string;
  name: string;
  city: string;
  address: string;
  zones: ZoneSeed[];
}

// One zone code per temperature so stock can name its zone without guessing between several.
export const ZONE_CODE: Record<Storage, string> = { ambient: 'AMB-01', chilled: 'CHL-01', frozen: 'FRZ-01' };

function zones(ambientRacks: number, chilledRacks: number, frozenRacks: number): ZoneSeed[] {
  return [
    { code: ZONE_CODE.ambient, temperatureZone: 'ambient', minCelsius: 12, maxCelsius: 22, racks: ambientRacks },
    { code: ZONE_CODE.chilled, temperatureZone: 'chilled', minCelsius: 2, maxCelsius: 6, racks: chilledRacks },
    { code: ZONE_CODE.frozen, temperatureZone: 'frozen', minCelsius: -24, maxCelsius: -18, racks: frozenRacks },
  ];
}

export const HUBS: readonly HubSeed[] = [
  { code: 'KYI', name: 'GREENFOOD Хаб Київ', city: 'Київ', address: 'вул. Бориспільська, 9, Київ, 02099', zones: zones(48, 20, 12) },
  { code: 'LVI', name: 'GREENFOOD Хаб Львів', city: 'Львів', address: 'вул. Городоцька, 355, Львів, 79040', zones: zones(32, 14, 8) },
  { code: 'ODE', name: 'GREENFOOD Хаб Одеса', city: 'Одеса', address: 'Овідіопольська дорога, 3, Одеса, 65036', zones: zones(28, 12, 8) },
  { code: 'KHA', name: 'GREENFOOD Хаб Харків', city: 'Харків', address: 'просп. Героїв Харкова, 271, Харків, 61054', zones: zones(24, 10, 6) },
];

export interface ProductBase {
  name: string;
  short: string;
  ingredients: string[];
  allergens?: string[];
  /** Retail price in UAH per kg (or per litre for liquids). */
  uahPerUnit: number;
  /** Pack sizes in the category's unit; overrides the category default. */
  sizes?: number[];
}

export interface CategorySeed {
  code: string;
  name: string;
  skuPrefix: string;
  storage: Storage;
  shelfLifeDays: number;
  unit: 'г' | 'мл';
  sizes: number[];
  /** Net weight per unit of size: 1 for grams, density for millilitres. */
  gramsPerUnit: number;
  /** Package volume per unit of size, for carrier volumetric weight. */
  mlPerUnit: number;
  /** Allergens every product of the category carries. */
  allergens: string[];
  storageNote: string;
  bases: ProductBase[];
}

export const CATEGORIES: readonly CategorySeed[] = [
  {
    code: 'honey', name: 'Мед та продукти бджільництва', skuPrefix: 'HON', storage: 'ambient', shelfLifeDays: 730,
    unit: 'г', sizes: [250, 500, 1000], gramsPerUnit: 1, mlPerUnit: 0.75, allergens: [],
    storageNote: 'Зберігати в сухому місці за температури від +5 до +20 °C, подалі від прямого сонця.',
    bases: [
      { name: 'Мед акацієвий', short: 'Світлий рідкий мед з ніжним квітковим ароматом, довго не кристалізується.', ingredients: ['мед акацієвий'], uahPerUnit: 520 },
      { name: 'Мед гречаний', short: 'Темний мед з насиченим терпкуватим смаком і високим вмістом заліза.', ingredients: ['мед гречаний'], uahPerUnit: 420 },
      { name: 'Мед липовий', short: 'Ароматний мед з липового цвіту, класика для чаю взимку.', ingredients: ['мед липовий'], uahPerUnit: 480 },
      { name: 'Мед соняшниковий', short: 'Яскраво-жовтий мед, швидко кристалізується в ніжну пасту.', ingredients: ['мед соняшниковий'], uahPerUnit: 300 },
      { name: "Мед різнотрав'я", short: "Польовий мед з лучного різнотрав'я з багатим букетом.", ingredients: ["мед з різнотрав'я"], uahPerUnit: 380 },
      { name: 'Мед каштановий', short: 'Рідкісний мед з гірчинкою, чудово пасує до сирів.', ingredients: ['мед каштановий'], uahPerUnit: 560 },
      { name: 'Мед з волоським горіхом', short: 'Акацієвий мед з підсушеними ядрами волоського горіха.', ingredients: ['мед акацієвий', 'волоський горіх'], allergens: ['горіхи'], uahPerUnit: 640, sizes: [250, 500] },
      { name: 'Крем-мед з малиною', short: 'Збитий мед кремової текстури з сублімованою малиною.', ingredients: ['мед соняшниковий', 'малина сублімована'], uahPerUnit: 700, sizes: [250, 500] },
      { name: 'Мед у стільниках', short: 'Натуральні стільники просто з вулика, запечатані воском.', ingredients: ['мед', 'бджолиний віск'], uahPerUnit: 900, sizes: [250, 500] },
      { name: 'Перга бджолина', short: 'Ферментований бджолами пилок у гранулах.', ingredients: ['перга'], uahPerUnit: 1800, sizes: [100, 200] },
      { name: 'Пилок квітковий', short: 'Висушений квітковий пилок, зібраний на пасіці у травні.', ingredients: ['бджолиний пилок'], uahPerUnit: 950, sizes: [100, 200] },
    ],
  },
  {
    code: 'cheese', name: 'Крафтові сири', skuPrefix: 'CHS', storage: 'chilled', shelfLifeDays: 60,
    unit: 'г', sizes: [200, 400], gramsPerUnit: 1, mlPerUnit: 1.1, allergens: ['молоко'],
    storageNote: 'Зберігати в холодильнику за температури від +2 до +6 °C.',
    bases: [
      { name: 'Бринза овеча', short: 'Розсольний сир з овечого молока за гуцульським рецептом.', ingredients: ['овече молоко', 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 420 },
      { name: 'Будз карпатський копчений', short: 'Молодий сир, копчений на буковій трісці.', ingredients: ["коров'яче молоко", 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 480 },
      { name: 'Вурда', short: 'Ніжний сир з овечої сироватки, традиційний продукт полонин.', ingredients: ['овеча сироватка', 'сіль'], uahPerUnit: 360 },
      { name: 'Козячий сир витриманий', short: 'Твердий сир з козячого молока, витримка 4 місяці.', ingredients: ['козяче молоко', 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 900 },
      { name: 'Качотта з пажитником', short: 'Напівтвердий сир з горіховими нотками пажитника.', ingredients: ["коров'яче молоко", 'пажитник', 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 650 },
      { name: 'Камамбер «Полонинський»', short: 'М’який сир з білою пліснявою і вершковою серцевиною.', ingredients: ["коров'яче молоко", 'сіль', 'закваска', 'пліснява Penicillium candidum', 'сичужний фермент'], uahPerUnit: 850 },
      { name: 'Гауда крафтова', short: 'Класична гауда з витримкою 3 місяці.', ingredients: ["коров'яче молоко", 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 700 },
      { name: 'Сулугуні копчений', short: 'Пружний розсольний сир холодного копчення.', ingredients: ["коров'яче молоко", 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 460 },
      { name: 'Сир з чорним трюфелем', short: 'Напівтвердий сир з подрібненим чорним трюфелем.', ingredients: ["коров'яче молоко", 'чорний трюфель', 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 1400 },
      { name: 'Сир з волоським горіхом', short: 'Напівтвердий сир з ядрами волоського горіха.', ingredients: ["коров'яче молоко", 'волоський горіх', 'сіль', 'закваска', 'сичужний фермент'], allergens: ['горіхи'], uahPerUnit: 780 },
      { name: 'Рікота фермерська', short: 'Свіжий сироватковий сир для десертів і пасти.', ingredients: ['сироватка', "коров'яче молоко", 'сіль'], uahPerUnit: 380, sizes: [250] },
      { name: 'Фета козяча в розсолі', short: 'Солонуватий розсольний сир з козячого молока.', ingredients: ['козяче молоко', 'сіль', 'закваска', 'сичужний фермент'], uahPerUnit: 600 },
    ],
  },
  {
    code: 'preserves', name: 'Варення та консервація', skuPrefix: 'PRS', storage: 'ambient', shelfLifeDays: 365,
    unit: 'мл', sizes: [250, 450], gramsPerUnit: 1.25, mlPerUnit: 1.2, allergens: [],
    storageNote: 'Зберігати за температури від 0 до +20 °C; після відкриття — в холодильнику до 14 днів.',
    bases: [
      { name: 'Варення полуничне', short: 'Цілі ягоди полуниці у прозорому сиропі.', ingredients: ['полуниця', 'цукор', 'лимонний сік'], uahPerUnit: 420 },
      { name: 'Варення вишневе без кісточок', short: 'Густе варення з кислуватих садових вишень.', ingredients: ['вишня', 'цукор'], uahPerUnit: 400 },
      { name: 'Варення абрикосове з мигдалем', short: 'Абрикоси половинками з пелюстками мигдалю.', ingredients: ['абрикос', 'цукор', 'мигдаль', 'лимонний сік'], allergens: ['горіхи'], uahPerUnit: 480 },
      { name: 'Конфітюр чорничний', short: 'Карпатська чорниця з мінімумом цукру.', ingredients: ['чорниця', 'цукор', 'пектин'], uahPerUnit: 560 },
      { name: 'Повидло сливове', short: 'Уварене без пектину повидло з угорки.', ingredients: ['слива', 'цукор'], uahPerUnit: 320 },
      { name: 'Джем журавлиний', short: 'Кисло-солодкий джем, пасує до м’яса і сирів.', ingredients: ['журавлина', 'цукор', 'пектин'], uahPerUnit: 520 },
      { name: 'Варення з айви', short: 'Бурштинові скибочки айви з ароматом цитрусу.', ingredients: ['айва', 'цукор', 'лимонна цедра'], uahPerUnit: 440 },
      { name: 'Варення з соснових шишок', short: 'Молоді соснові шишки в смолистому сиропі.', ingredients: ['молоді соснові шишки', 'цукор', 'вода'], uahPerUnit: 760 },
      { name: 'Аджика домашня', short: 'Гостра приправа з печених перців і томатів.', ingredients: ['томати', 'перець солодкий', 'перець гострий', 'часник', 'сіль', 'цукор'], uahPerUnit: 300 },
      { name: 'Лечо', short: 'Болгарський перець у томатному соусі за бабусиним рецептом.', ingredients: ['перець солодкий', 'томати', 'цибуля', 'соняшникова олія', 'цукор', 'сіль', 'оцет'], uahPerUnit: 220, sizes: [450, 720] },
      { name: 'Ікра кабачкова', short: 'Обсмажені кабачки з морквою та цибулею.', ingredients: ['кабачки', 'морква', 'цибуля', 'томатна паста', 'соняшникова олія', 'сіль'], uahPerUnit: 200, sizes: [450, 720] },
      { name: 'Огірки мариновані хрумкі', short: 'Дрібні огірочки з кропом і листям хрону.', ingredients: ['огірки', 'вода', 'оцет', 'цукор', 'сіль', 'кріп', 'часник', 'листя хрону'], uahPerUnit: 160, sizes: [720, 1000] },
      { name: 'Гірчиця зерниста', short: 'Ферментована гірчиця з цілими зернами на яблучному оцті.', ingredients: ['гірчичне зерно', 'яблучний оцет', 'мед', 'сіль'], allergens: ['гірчиця'], uahPerUnit: 600, sizes: [200] },
      { name: 'Томати у власному соку', short: 'Чищені сливоподібні томати для соусів і борщу.', ingredients: ['томати', 'томатний сік', 'сіль'], uahPerUnit: 140, sizes: [720] },
    ],
  },
  {
    code: 'bakery', name: 'Хліб та випічка', skuPrefix: 'BAK', storage: 'ambient', shelfLifeDays: 7,
    unit: 'г', sizes: [500], gramsPerUnit: 1, mlPerUnit: 2.5, allergens: ['глютен'],
    storageNote: 'Зберігати за кімнатної температури в паперовому пакеті; для довшого зберігання — заморозити.',
    bases: [
      { name: 'Хліб житній на заквасці', short: 'Щільний житній хліб на живій заквасці з коріандром.', ingredients: ['житнє борошно', 'вода', 'житня закваска', 'сіль', 'коріандр'], uahPerUnit: 130, sizes: [700] },
      { name: 'Хліб пшеничний на заквасці', short: 'Пористий хліб з хрусткою скоринкою, 24 години ферментації.', ingredients: ['пшеничне борошно', 'вода', 'пшенична закваска', 'сіль'], uahPerUnit: 120, sizes: [800] },
      { name: 'Хліб цільнозерновий з насінням', short: 'Цільнозерновий хліб з кунжутом, льоном і соняшником.', ingredients: ['цільнозернове борошно', 'вода', 'закваска', 'насіння льону', 'кунжут', 'насіння соняшнику', 'сіль'], allergens: ['кунжут'], uahPerUnit: 160, sizes: [600] },
      { name: 'Паляниця', short: 'Традиційна українська паляниця з характерним надрізом.', ingredients: ['пшеничне борошно', 'вода', 'дріжджі', 'сіль', 'цукор'], uahPerUnit: 80, sizes: [900] },
      { name: 'Хліб бородинський', short: 'Заварний житній хліб з солодом і коріандром.', ingredients: ['житнє борошно', 'пшеничне борошно', 'житній солод', 'патока', 'коріандр', 'сіль', 'вода'], uahPerUnit: 140, sizes: [500] },
      { name: 'Багет французький', short: 'Тонкий багет з хрусткою скоринкою.', ingredients: ['пшеничне борошно', 'вода', 'дріжджі', 'сіль'], uahPerUnit: 180, sizes: [250] },
      { name: 'Чіабата', short: 'Італійський хліб з великими порами на оливковій олії.', ingredients: ['пшеничне борошно', 'вода', 'оливкова олія', 'дріжджі', 'сіль'], uahPerUnit: 200, sizes: [300] },
      { name: 'Бріош вершковий', short: 'Здобний хліб на вершковому маслі та яйцях.', ingredients: ['пшеничне борошно', 'вершкове масло', 'яйця', 'молоко', 'цукор', 'дріжджі', 'сіль'], allergens: ['молоко', 'яйця'], uahPerUnit: 320, sizes: [400] },
      { name: 'Хліб з кмином', short: 'Житньо-пшеничний хліб з цілим кмином.', ingredients: ['житнє борошно', 'пшеничне борошно', 'вода', 'закваска', 'кмин', 'сіль'], uahPerUnit: 130, sizes: [600] },
      { name: 'Хліб гречаний', short: 'Хліб з додаванням гречаного борошна і горіховим смаком.', ingredients: ['пшеничне борошно', 'гречане борошно', 'вода', 'закваска', 'сіль'], uahPerUnit: 150, sizes: [500] },
      { name: 'Булочки сирні', short: 'Пухкі булочки з твердим сиром, 4 шт.', ingredients: ['пшеничне борошно', 'твердий сир', 'молоко', 'яйця', 'вершкове масло', 'дріжджі', 'сіль'], allergens: ['молоко', 'яйця'], uahPerUnit: 300, sizes: [300] },
      { name: 'Пряники медові', short: 'М’які пряники на гречаному меду з прянощами.', ingredients: ['пшеничне борошно', 'мед гречаний', 'яйця', 'вершкове масло', 'кориця', 'імбир', 'гвоздика'], allergens: ['яйця', 'молоко'], uahPerUnit: 420, sizes: [300] },
      { name: 'Круасани на вершковому маслі', short: 'Листкові круасани, 3 шт.', ingredients: ['пшеничне борошно', 'вершкове масло', 'молоко', 'цукор', 'яйця', 'дріжджі', 'сіль'], allergens: ['молоко', 'яйця'], uahPerUnit: 600, sizes: [240] },
      { name: 'Штрудель яблучний', short: 'Тонке тісто з яблуками, родзинками і корицею.', ingredients: ['пшеничне борошно', 'яблука', 'родзинки', 'цукор', 'вершкове масло', 'яйця', 'кориця'], allergens: ['молоко', 'яйця'], uahPerUnit: 380, sizes: [500] },
      { name: 'Пиріг вишневий', short: 'Пісочний пиріг з кислуватою вишнею.', ingredients: ['пшеничне борошно', 'вишня', 'цукор', 'вершкове масло', 'яйця', 'сметана'], allergens: ['молоко', 'яйця'], uahPerUnit: 360, sizes: [600] },
    ],
  },
  {
    code: 'charcuterie', name: "М'ясні делікатеси", skuPrefix: 'CHR', storage: 'chilled', shelfLifeDays: 60,
    unit: 'г', sizes: [200, 400], gramsPerUnit: 1, mlPerUnit: 1.2, allergens: [],
    storageNote: 'Зберігати в холодильнику за температури від 0 до +6 °C у вакуумній упаковці.',
    bases: [
      { name: "Ковбаса сиров'ялена «Гуцульська»", short: 'Свинина з яловичиною, в’ялена 40 днів на гірському повітрі.', ingredients: ['свинина', 'яловичина', 'сіль', 'часник', 'перець чорний', 'коріандр'], uahPerUnit: 900 },
      { name: 'Сало солоне з часником', short: 'Сало з м’ясною прожилкою, засолене з часником і перцем.', ingredients: ['сало свиняче', 'сіль', 'часник', 'перець чорний', 'лавровий лист'], uahPerUnit: 420 },
      { name: 'Бастурма яловича', short: 'В’ялена яловича вирізка в пряній шубі з чаману.', ingredients: ['яловичина', 'сіль', 'пажитник', 'паприка', 'часник'], uahPerUnit: 1400 },
      { name: 'Буженина запечена', short: 'Свинячий окіст, запечений з прянощами.', ingredients: ['свинина', 'сіль', 'часник', 'морква', 'перець чорний'], uahPerUnit: 750 },
      { name: 'Кабаноси з паприкою', short: 'Тонкі сиров’ялені ковбаски до пива та вина.', ingredients: ['свинина', 'сіль', 'паприка копчена', 'часник', 'кмин'], uahPerUnit: 850 },
      { name: "Шинка сиров'ялена", short: 'Свинячий окіст сухого засолу з витримкою 9 місяців.', ingredients: ['свинячий окіст', 'морська сіль'], uahPerUnit: 1300 },
      { name: 'Балик свинячий копчений', short: 'Корейка холодного копчення на вільховій трісці.', ingredients: ['свиняча корейка', 'сіль', 'перець', 'часник'], uahPerUnit: 800 },
      { name: 'Ковбаса домашня з гірчичним зерном', short: 'Напівкопчена ковбаса з цілим гірчичним зерном.', ingredients: ['свинина', 'сало', 'гірчичне зерно', 'сіль', 'часник', 'перець'], allergens: ['гірчиця'], uahPerUnit: 700 },
      { name: 'Паштет з качиної печінки', short: 'Ніжний паштет з вершками та коньяком.', ingredients: ['качина печінка', 'вершки', 'вершкове масло', 'цибуля', 'коньяк', 'сіль'], allergens: ['молоко'], uahPerUnit: 950, sizes: [180] },
      { name: "Качині груди в'ялені", short: 'Качине філе, в’ялене з апельсиновою цедрою.', ingredients: ['качине філе', 'сіль', 'цедра апельсина', 'перець'], uahPerUnit: 1600 },
      { name: 'Сальтисон домашній', short: 'Пресоване м’ясо з прянощами за полтавським рецептом.', ingredients: ['свиняча голова', 'свинячі язики', 'сіль', 'часник', 'перець', 'лавровий лист'], uahPerUnit: 500 },
    ],
  },
  {
    code: 'dairy', name: 'Молочні продукти', skuPrefix: 'DRY', storage: 'chilled', shelfLifeDays: 14,
    unit: 'мл', sizes: [500], gramsPerUnit: 1.03, mlPerUnit: 1.1, allergens: ['молоко'],
    storageNote: 'Зберігати за температури від +2 до +6 °C; після відкриття спожити протягом 3 діб.',
    bases: [
      { name: 'Молоко пастеризоване 3,2%', short: 'Фермерське молоко від корів на вільному випасі.', ingredients: ["коров'яче молоко"], uahPerUnit: 55, sizes: [900] },
      { name: 'Кефір 2,5%', short: 'Кефір на живих кефірних грибках.', ingredients: ["коров'яче молоко", 'кефірна закваска'], uahPerUnit: 60, sizes: [500, 900] },
      { name: 'Ряжанка 4%', short: 'Топлене молоко, сквашене до карамельного смаку.', ingredients: ["коров'яче молоко топлене", 'закваска'], uahPerUnit: 72 },
      { name: 'Йогурт натуральний 5%', short: 'Густий йогурт без цукру та загусників.', ingredients: ["коров'яче молоко", 'йогуртова закваска'], uahPerUnit: 120, sizes: [350] },
      { name: 'Йогурт з чорницею', short: 'Йогурт з шаром чорничного конфітюру.', ingredients: ["коров'яче молоко", 'чорниця', 'цукор', 'йогуртова закваска'], uahPerUnit: 140, sizes: [350] },
      { name: 'Сметана 20%', short: 'Густа сметана, в якій стоїть ложка.', ingredients: ['вершки', 'закваска'], uahPerUnit: 160, sizes: [300] },
      { name: 'Сир кисломолочний 9%', short: 'Домашній зернистий сир.', ingredients: ["коров'яче молоко", 'закваска'], uahPerUnit: 220, sizes: [400] },
      { name: 'Масло вершкове 82%', short: 'Солодковершкове масло, збите з фермерських вершків.', ingredients: ['вершки'], uahPerUnit: 520, sizes: [200] },
      { name: 'Вершки 33%', short: 'Вершки для збивання і соусів.', ingredients: ['вершки'], uahPerUnit: 260, sizes: [250] },
      { name: 'Айран', short: 'Освіжний кисломолочний напій з дрібкою солі.', ingredients: ["коров'яче молоко", 'закваска', 'вода', 'сіль'], uahPerUnit: 60 },
      { name: 'Молоко козяче', short: 'Пастеризоване козяче молоко без стороннього присмаку.', ingredients: ['козяче молоко'], uahPerUnit: 120 },
      { name: 'Молоко топлене 4%', short: 'Молоко, томлене кілька годин до кремового відтінку.', ingredients: ["коров'яче молоко"], uahPerUnit: 75 },
    ],
  },
  {
    code: 'oils', name: 'Олії холодного віджиму', skuPrefix: 'OIL', storage: 'ambient', shelfLifeDays: 365,
    unit: 'мл', sizes: [250, 500], gramsPerUnit: 0.92, mlPerUnit: 1.3, allergens: [],
    storageNote: 'Зберігати в темному місці за температури від +5 до +20 °C; після відкриття — в холодильнику.',
    bases: [
      { name: 'Олія соняшникова нерафінована', short: 'Запашна олія з насінням смаженого соняшнику.', ingredients: ['насіння соняшнику'], uahPerUnit: 180, sizes: [500, 1000] },
      { name: 'Олія лляна', short: 'Джерело омега-3, віджата з золотистого льону.', ingredients: ['насіння льону'], uahPerUnit: 450 },
      { name: 'Олія гарбузова', short: 'Темно-зелена олія з горіховим смаком.', ingredients: ['гарбузове насіння'], uahPerUnit: 900 },
      { name: 'Олія конопляна', short: 'Трав’яниста олія з технічних сортів конопель.', ingredients: ['насіння конопель'], uahPerUnit: 850 },
      { name: 'Олія волоського горіха', short: 'Олія для салатів і десертів з делікатним смаком.', ingredients: ['ядра волоського горіха'], allergens: ['горіхи'], uahPerUnit: 1100 },
      { name: 'Олія гірчична', short: 'Пікантна олія для салатів і випічки.', ingredients: ['насіння гірчиці'], allergens: ['гірчиця'], uahPerUnit: 400 },
      { name: 'Олія рижієва', short: 'Олія з рижію посівного з ароматом редиски.', ingredients: ['насіння рижію'], uahPerUnit: 500 },
      { name: 'Олія кунжутна', short: 'Олія з сирого кунжуту для азійських страв.', ingredients: ['насіння кунжуту'], allergens: ['кунжут'], uahPerUnit: 700 },
      { name: 'Олія розторопші', short: 'Олія з насіння розторопші плямистої.', ingredients: ['насіння розторопші'], uahPerUnit: 600 },
      { name: 'Олія чорного кмину', short: 'Гірчувата олія нігели з насиченим ароматом.', ingredients: ['насіння чорного кмину'], uahPerUnit: 1400, sizes: [100, 250] },
      { name: 'Олія кедрова', short: 'Рідкісна олія з кедрових горішків.', ingredients: ['кедрові горішки'], allergens: ['горіхи'], uahPerUnit: 3500, sizes: [100] },
    ],
  },
  {
    code: 'tea', name: 'Чаї та трави', skuPrefix: 'TEA', storage: 'ambient', shelfLifeDays: 540,
    unit: 'г', sizes: [50, 100], gramsPerUnit: 1, mlPerUnit: 6, allergens: [],
    storageNote: 'Зберігати в сухому, захищеному від світла місці в щільно закритій упаковці.',
    bases: [
      { name: 'Іван-чай ферментований', short: 'Листя кипрею, ферментоване вручну за старовинною технологією.', ingredients: ['листя кипрею вузьколистого'], uahPerUnit: 1600 },
      { name: 'Карпатський трав’яний збір', short: 'Чебрець, м’ята, звіробій і чорниця з полонин.', ingredients: ['чебрець', "м'ята", 'звіробій', 'листя чорниці', 'липовий цвіт'], uahPerUnit: 1400 },
      { name: 'Чебрець', short: 'Запашний чебрець, зібраний у період цвітіння.', ingredients: ['чебрець'], uahPerUnit: 1500 },
      { name: "М'ята перцева", short: 'Охолоджувальна м’ята з власних грядок.', ingredients: ["м'ята перцева"], uahPerUnit: 1200 },
      { name: 'Липовий цвіт', short: 'Цвіт липи серцелистої з медовим ароматом.', ingredients: ['липовий цвіт'], uahPerUnit: 1800 },
      { name: 'Ромашка лікарська', short: 'Кошики ромашки для заспокійливого чаю.', ingredients: ['квіти ромашки'], uahPerUnit: 1000 },
      { name: 'Шипшина сушена', short: 'Цілі плоди шипшини — природний вітамін C.', ingredients: ['плоди шипшини'], uahPerUnit: 400, sizes: [100, 200] },
      { name: 'Звіробій', short: 'Трава звіробою для зимових чаїв.', ingredients: ['трава звіробою'], uahPerUnit: 1200 },
      { name: 'Чай з чорницею та смородиною', short: 'Ферментований лист смородини з ягодами чорниці.', ingredients: ['листя смородини', 'сушена чорниця'], uahPerUnit: 1700 },
      { name: 'Меліса', short: 'Лимонна меліса для м’якого вечірнього чаю.', ingredients: ['листя меліси'], uahPerUnit: 1300 },
      { name: 'Збір «Зимовий» з обліпихою', short: 'Обліпиха, шипшина, імбир і липа.', ingredients: ['обліпиха сушена', 'шипшина', 'імбир', 'липовий цвіт'], uahPerUnit: 1900 },
    ],
  },
  {
    code: 'frozen', name: 'Заморожені вареники та напівфабрикати', skuPrefix: 'FRZ', storage: 'frozen', shelfLifeDays: 180,
    unit: 'г', sizes: [500, 1000], gramsPerUnit: 1, mlPerUnit: 1.6, allergens: ['глютен'],
    storageNote: 'Зберігати за температури не вище −18 °C; повторне заморожування не допускається.',
    bases: [
      { name: 'Вареники з картоплею та грибами', short: 'Ручна ліпка, тонке тісто, лісові гриби.', ingredients: ['пшеничне борошно', 'вода', 'картопля', 'печериці', 'білі гриби', 'цибуля', 'соняшникова олія', 'сіль'], uahPerUnit: 220 },
      { name: 'Вареники з вишнею', short: 'Соковиті вареники з цілою вишнею без кісточок.', ingredients: ['пшеничне борошно', 'вода', 'вишня', 'цукор', 'сіль'], uahPerUnit: 300 },
      { name: 'Вареники з сиром', short: 'Солодкуваті вареники з домашнім сиром.', ingredients: ['пшеничне борошно', 'вода', 'кисломолочний сир', 'яйця', 'цукор', 'сіль'], allergens: ['молоко', 'яйця'], uahPerUnit: 280 },
      { name: 'Вареники з капустою', short: 'Тушкована квашена капуста з цибулею.', ingredients: ['пшеничне борошно', 'вода', 'квашена капуста', 'цибуля', 'соняшникова олія', 'сіль'], uahPerUnit: 200 },
      { name: 'Вареники з картоплею та шкварками', short: 'Класика з картоплею і підсмаженими шкварками.', ingredients: ['пшеничне борошно', 'вода', 'картопля', 'сало', 'цибуля', 'сіль'], uahPerUnit: 240 },
      { name: 'Пельмені домашні', short: 'Свинина з яловичиною в тонкому яєчному тісті.', ingredients: ['пшеничне борошно', 'свинина', 'яловичина', 'цибуля', 'яйця', 'вода', 'сіль', 'перець'], allergens: ['яйця'], uahPerUnit: 380 },
      { name: 'Пельмені з індичкою', short: 'Легкі пельмені з філе індички та зеленню.', ingredients: ['пшеничне борошно', 'філе індички', 'цибуля', 'кріп', 'яйця', 'вода', 'сіль'], allergens: ['яйця'], uahPerUnit: 400 },
      { name: 'Хінкалі з яловичиною', short: 'Великі хінкалі з бульйоном і кінзою.', ingredients: ['пшеничне борошно', 'яловичина', 'цибуля', 'кінза', 'вода', 'сіль', 'перець'], uahPerUnit: 420 },
      { name: "Голубці з м'ясом та рисом", short: 'Капустяні листки з фаршем і рисом.', ingredients: ['білокачанна капуста', 'свинина', 'рис', 'цибуля', 'морква', 'сіль'], uahPerUnit: 300 },
      { name: "Млинці з м'ясом", short: 'Тонкі млинці з тушкованою яловичиною.', ingredients: ['пшеничне борошно', 'молоко', 'яйця', 'яловичина', 'цибуля', 'сіль'], allergens: ['молоко', 'яйця'], uahPerUnit: 320 },
      { name: 'Сирники', short: 'Сирники з кисломолочного сиру, готові до смаження.', ingredients: ['кисломолочний сир', 'яйця', 'пшеничне борошно', 'цукор', 'ванілін'], allergens: ['молоко', 'яйця'], uahPerUnit: 340 },
      { name: "Деруни з м'ясом", short: 'Картопляні деруни з начинкою зі свинини.', ingredients: ['картопля', 'свинина', 'цибуля', 'яйця', 'пшеничне борошно', 'сіль'], allergens: ['яйця'], uahPerUnit: 280 },
    ],
  },
  {
    code: 'nuts', name: 'Горіхи та сухофрукти', skuPrefix: 'NUT', storage: 'ambient', shelfLifeDays: 270,
    unit: 'г', sizes: [200, 500], gramsPerUnit: 1, mlPerUnit: 2, allergens: [],
    storageNote: 'Зберігати в сухому прохолодному місці за температури до +20 °C.',
    bases: [
      { name: 'Волоський горіх очищений', short: 'Світлі половинки ядер урожаю цього року.', ingredients: ['ядра волоського горіха'], allergens: ['горіхи'], uahPerUnit: 420 },
      { name: 'Фундук смажений', short: 'Обсмажений фундук з насиченим горіховим смаком.', ingredients: ['фундук'], allergens: ['горіхи'], uahPerUnit: 600 },
      { name: 'Мигдаль сирий', short: 'Цілий мигдаль без термообробки.', ingredients: ['мигдаль'], allergens: ['горіхи'], uahPerUnit: 550 },
      { name: 'Гарбузове насіння очищене', short: 'Зелене гарбузове насіння для салатів і каш.', ingredients: ['гарбузове насіння'], uahPerUnit: 350 },
      { name: 'Курага', short: 'Абрикоси, висушені на сонці без сірки.', ingredients: ['абрикоси сушені'], uahPerUnit: 380 },
      { name: 'Чорнослив копчений', short: 'Слива угорка з легким димним ароматом.', ingredients: ['слива сушена'], uahPerUnit: 320 },
      { name: 'Яблучні чипси', short: 'Хрусткі скибочки яблук без цукру.', ingredients: ['яблука'], uahPerUnit: 600, sizes: [100, 200] },
      { name: 'Груша сушена', short: 'Грушеві скибки для узвару та перекусу.', ingredients: ['груші сушені'], uahPerUnit: 500 },
      { name: "Журавлина в'ялена", short: 'М’які ягоди журавлини в яблучному сиропі.', ingredients: ['журавлина', 'яблучний сироп'], uahPerUnit: 700 },
      { name: 'Горіховий мікс з медом', short: 'Волоський горіх, фундук і мигдаль у гречаному меду.', ingredients: ['волоський горіх', 'фундук', 'мигдаль', 'мед гречаний'], allergens: ['горіхи'], uahPerUnit: 800, sizes: [250] },
      { name: 'Інжир сушений', short: 'Солодкий інжир з півдня Одещини.', ingredients: ['інжир сушений'], uahPerUnit: 650 },
    ],
  },
];

export interface ConsignorSeed {
  name: string;
  legalName: string;
  /** Latin slug for the e-mail domain. */
  slug: string;
  region: string;
  hub: string;
  categories: string[];
}

// Each producer works near one hub and specialises in one or two categories, as real craft producers do.
export const CONSIGNORS: readonly ConsignorSeed[] = [
  { name: 'Пасіка «Золота Бджілка»', legalName: 'ФГ «Золота Бджілка»', slug: 'zolota-bdzhilka', region: 'Вінницька обл.', hub: 'KYI', categories: ['honey'] },
  { name: 'Сироварня «Бринза Верховини»', legalName: 'ТОВ «Бринза Верховини»', slug: 'brynza-verkhovyny', region: 'Верховина, Івано-Франківська обл.', hub: 'LVI', categories: ['cheese'] },
  { name: 'Ферма «Козина Садиба»', legalName: 'ФГ «Козина Садиба»', slug: 'kozyna-sadyba', region: 'Житомирська обл.', hub: 'KYI', categories: ['cheese', 'dairy'] },
  { name: '«Бабусині Смаколики»', legalName: 'ПП «Бабусині Смаколики»', slug: 'babusyni-smakolyky', region: 'Полтава', hub: 'KHA', categories: ['preserves'] },
  { name: 'Пекарня «Житня Хата»', legalName: 'ТОВ «Житня Хата»', slug: 'zhytnia-khata', region: 'Київ', hub: 'KYI', categories: ['bakery'] },
  { name: 'Пекарня «Львівський Окраєць»', legalName: 'ТОВ «Львівський Окраєць»', slug: 'okraiets', region: 'Львів', hub: 'LVI', categories: ['bakery'] },
  { name: 'Ковбасна майстерня «Гуцульський Смак»', legalName: 'ТОВ «Гуцульський Смак»', slug: 'hutsulskyi-smak', region: 'Косів, Івано-Франківська обл.', hub: 'LVI', categories: ['charcuterie'] },
  { name: 'Молочна ферма «Ранкова Роса»', legalName: 'ТОВ «Ранкова Роса»', slug: 'rankova-rosa', region: 'Чернігівська обл.', hub: 'KYI', categories: ['dairy'] },
  { name: 'Олійня «Сонячний Край»', legalName: 'ТОВ «Сонячний Край»', slug: 'soniachnyi-krai', region: 'Одеська обл.', hub: 'ODE', categories: ['oils'] },
  { name: '«Карпатські Трави»', legalName: 'ТОВ «Карпатські Трави»', slug: 'karpatski-travy', region: 'Рахів, Закарпатська обл.', hub: 'LVI', categories: ['tea'] },
  { name: 'Варенична «Ситий Кум»', legalName: 'ТОВ «Ситий Кум»', slug: 'sytyi-kum', region: 'Бровари, Київська обл.', hub: 'KYI', categories: ['frozen'] },
  { name: 'Пасіка «Бессарабський Мед»', legalName: 'ФГ «Бессарабський Мед»', slug: 'bessarabskyi-med', region: 'Болград, Одеська обл.', hub: 'ODE', categories: ['honey'] },
  { name: '«Слобожанські Смаки»', legalName: 'ТОВ «Слобожанські Смаки»', slug: 'slobozhanski-smaky', region: 'Харківська обл.', hub: 'KHA', categories: ['preserves', 'frozen'] },
  { name: '«Горіховий Сад»', legalName: 'ФГ «Горіховий Сад»', slug: 'horikhovyi-sad', region: 'Чернівецька обл.', hub: 'LVI', categories: ['nuts'] },
  { name: 'Сироробний двір «Лиман»', legalName: 'ТОВ «Сироробний Двір Лиман»', slug: 'syrnyi-lyman', region: 'Одеса', hub: 'ODE', categories: ['cheese'] },
  { name: "М'ясна лавка Козаченків", legalName: 'ПП «Лавка Козаченків»', slug: 'lavka-kozachenkiv', region: 'Миргород, Полтавська обл.', hub: 'KHA', categories: ['charcuterie'] },
  { name: '«Дунайські Делікатеси»', legalName: 'ТОВ «Дунайські Делікатеси»', slug: 'dunaiski-delikatesy', region: 'Ізмаїл, Одеська обл.', hub: 'ODE', categories: ['preserves', 'nuts'] },
  { name: 'Хлібня «Слобожанська»', legalName: 'ТОВ «Хлібня Слобожанська»', slug: 'khlibnia-sloboda', region: 'Харків', hub: 'KHA', categories: ['bakery'] },
  { name: 'Чайна садиба «Поділля»', legalName: 'ФГ «Чайна Садиба Поділля»', slug: 'chaina-sadyba', region: "Кам'янець-Подільський", hub: 'KYI', categories: ['tea'] },
  { name: '«Полтавська Галушка»', legalName: 'ТОВ «Полтавська Галушка»', slug: 'poltavska-halushka', region: 'Полтава', hub: 'KHA', categories: ['frozen'] },
  { name: 'Молочний хутір «Смерічка»', legalName: 'ФГ «Смерічка»', slug: 'smerichka', region: 'Сколе, Львівська обл.', hub: 'LVI', categories: ['dairy', 'cheese'] },
  { name: 'Олійня «Степова»', legalName: 'ТОВ «Степова Олійня»', slug: 'stepova-oliinia', region: 'Харківська обл.', hub: 'KHA', categories: ['oils'] },
  { name: 'Пасіка «Медовий Спас»', legalName: 'ФГ «Медовий Спас»', slug: 'medovyi-spas', region: 'Яворів, Львівська обл.', hub: 'LVI', categories: ['honey'] },
  { name: '«Сушня Південна»', legalName: 'ТОВ «Сушня Південна»', slug: 'sushnia-pivdenna', region: 'Білгород-Дністровський', hub: 'ODE', categories: ['nuts', 'tea'] },
];

const MALE_FIRST = ['Олександр', 'Андрій', 'Дмитро', 'Сергій', 'Тарас', 'Богдан', 'Іван', 'Максим', 'Василь', 'Юрій', 'Остап', 'Роман', 'Микола', 'Віталій', 'Петро'];
const FEMALE_FIRST = ['Олена', 'Наталія', 'Ірина', 'Оксана', 'Марія', 'Софія', 'Анна', 'Тетяна', 'Юлія', 'Христина', 'Катерина', 'Галина', 'Дарина', 'Людмила', 'Соломія'];
const SURNAMES = ['Коваленко', 'Шевченко', 'Бондаренко', 'Ткаченко', 'Кравченко', 'Олійник', 'Мельник', 'Лисенко', 'Поліщук', 'Савчук', 'Гнатюк', 'Марченко', 'Руденко', 'Мороз', 'Кравець', 'Петренко', 'Романюк', 'Федорук', 'Дорошенко', 'Гончар', 'Кушнір', 'Бойко', 'Левчук', 'Остапчук'];

interface CompanySeed {
  name: string;
  slug: string;
  city: string;
}

export const B2B_COMPANIES: readonly CompanySeed[] = [
  { name: 'ТОВ «Смачна Полиця»', slug: 'smachna-polytsia', city: 'Київ' },
  { name: 'Ресторан «Дубова Діжка»', slug: 'dubova-dizhka', city: 'Львів' },
  { name: 'Кав’ярня «Зерно й Мед»', slug: 'zerno-i-med', city: 'Київ' },
  { name: 'ТОВ «Еко-Кошик»', slug: 'eko-koshyk', city: 'Харків' },
  { name: 'Готель «Карпатська Зоря»', slug: 'karpatska-zoria', city: 'Івано-Франківськ' },
  { name: 'Бістро «Портовий Двір»', slug: 'portovyi-dvir', city: 'Одеса' },
  { name: 'Крамниця «Фермерська Лавка»', slug: 'fermerska-lavka', city: 'Вінниця' },
  { name: 'ТОВ «Делі Маркет Поділля»', slug: 'deli-podillia', city: 'Хмельницький' },
  { name: 'Піцерія «Тісто й Вогонь»', slug: 'tisto-vohon', city: 'Дніпро' },
  { name: 'ТОВ «Кейтеринг Гостинна Хата»', slug: 'hostynna-khata', city: 'Київ' },
  { name: 'Крамниця «Сирна Скринька»', slug: 'syrna-skrynka', city: 'Львів' },
  { name: 'Ресторан «Степова Кухня»', slug: 'stepova-kukhnia', city: 'Миколаїв' },
  { name: 'ТОВ «Зелена Корзина»', slug: 'zelena-korzyna', city: 'Полтава' },
  { name: 'Кондитерська «Медівник»', slug: 'medivnyk', city: 'Чернівці' },
  { name: 'ТОВ «ОфісФуд»', slug: 'officefood', city: 'Київ' },
  { name: 'Винарня «Лоза Бессарабії»', slug: 'loza-bessarabii', city: 'Одеса' },
  { name: 'Гастробар «Хміль і Сир»', slug: 'khmil-i-syr', city: 'Харків' },
  { name: 'ТОВ «Фермерський Ринок Онлайн»', slug: 'fermer-rynok', city: 'Житомир' },
];

export const VIP_COMPANIES: readonly CompanySeed[] = [
  { name: 'Ресторан «Золотий Колос»', slug: 'zolotyi-kolos', city: 'Київ' },
  { name: 'ТОВ «Преміум Гастро Клуб»', slug: 'premium-gastro', city: 'Київ' },
  { name: 'Готель «Рів’єра Чорного Моря»', slug: 'riviera-more', city: 'Одеса' },
];

// Weighted towards hub cities, where most demand is.
const RETAIL_CITIES = [
  'Київ', 'Київ', 'Київ', 'Київ', 'Київ', 'Львів', 'Львів', 'Львів', 'Одеса', 'Одеса', 'Харків', 'Харків',
  'Дніпро', 'Вінниця', 'Полтава', 'Черкаси', 'Житомир', 'Ужгород', 'Івано-Франківськ', 'Чернівці', 'Тернопіль', 'Рівне',
];

const MOBILE_CODES = ['50', '63', '66', '67', '68', '73', '93', '95', '96', '97', '98', '99'];
const PERSONAL_DOMAINS = ['gmail.com', 'ukr.net', 'i.ua', 'meta.ua', 'gmail.com'];

// Real Ukrainian bank MFO codes so IBANs look like what accountants see.
const BANK_MFO = ['305299', '300465', '322001', '300528', '380805', '351005', '320649', '325365'];

const CRAFT_NOTES = [
  'Виготовлено невеликими партіями вручну.',
  'Без консервантів, барвників і підсилювачів смаку.',
  'Сировина з власного господарства виробника.',
  'Рецептура передається в родині виробника кілька поколінь.',
  'Кожна партія проходить лабораторний контроль.',
];

// ---------------------------------------------------------------------------
// Generated rows

export interface ConsignorRow {
  code: string;
  name: string;
  legalName: string;
  edrpou: string;
  iban: string;
  email: string;
  phone: string;
  plan: Plan;
  commissionBp: number;
  paymentTermsDays: number;
  hub: string;
}

export interface ProductRow {
  sku: string;
  consignorCode: string;
  categoryCode: string;
  name: string;
  shortDescription: string;
  longDescription: string;
  priceKop: number;
  costKop: number;
  weightG: number;
  volumeMl: number;
  ingredients: string[];
  allergens: string[];
  shelfLifeDays: number;
  storage: Storage;
}

export type BatchStatus = 'in_stock' | 'expired';

export interface BatchRow {
  code: string;
  sku: string;
  originHub: string;
  productionDate: string;
  expiryDate: string;
  status: BatchStatus;
}

export interface StockRow {
  batchCode: string;
  hub: string;
  zoneCode: string;
  qty: number;
}

export interface BuyerRow {
  code: string;
  name: string;
  tier: Tier;
  email: string;
  phone: string;
  city: string;
  discountBp: number | null;
  paymentTermsDays: number | null;
}

export interface DemoData {
  today: string;
  consignors: ConsignorRow[];
  products: ProductRow[];
  batches: BatchRow[];
  stock: StockRow[];
  buyers: BuyerRow[];
}

// ---------------------------------------------------------------------------
// Helpers

const DAY_MS = 86_400_000;

// Calendar days as integers avoid DST and time-zone drift when adding shelf lives.
function toDayNumber(d: Date): number {
  return Math.floor(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / DAY_MS);
}

export function dayNumberToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The local calendar date of `d` as YYYY-MM-DD. */
export function isoDate(d: Date): string {
  return dayNumberToIso(toDayNumber(d));
}

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch',
  ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia', "'": '', '’': '',
};
// The official transliteration spells these differently at the start of a word.
const TRANSLIT_INITIAL: Record<string, string> = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };

export function transliterate(word: string): string {
  let out = '';
  [...word.toLowerCase()].forEach((ch, i) => {
    out += (i === 0 ? TRANSLIT_INITIAL[ch] : undefined) ?? TRANSLIT[ch] ?? ch;
  });
  return out;
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

function phone(rng: Rng): string {
  return `+380${rng.pick(MOBILE_CODES)}${digits(rng, 7)}`;
}

// EDRPOU carries a mod-11 check digit; valid codes keep demo data usable with validators.
export function edrpouCheckDigit(first7: string): number {
  const n = Number(first7) * 10;
  const base = n < 30_000_000 || n > 60_000_000 ? [1, 2, 3, 4, 5, 6, 7] : [7, 1, 2, 3, 4, 5, 6];
  const sum = (weights: number[]): number =>
    [...first7].reduce((acc, ch, i) => acc + Number(ch) * (weights[i] ?? 0), 0) % 11;
  let check = sum(base);
  if (check >= 10) {
    check = sum(base.map((w) => w + 2));
    if (check >= 10) check = 0;
  }
  return check;
}

function mod97(numeric: string): number {
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return rem;
}

// ISO 13616 check digits so the IBAN passes bank-side validation, not just the schema regex.
export function ukrainianIban(mfo: string, account19: string): string {
  const bban = `${mfo}${account19}`;
  const check = 98 - mod97(`${bban}301000`); // "UA00" moved to the end, letters as U=30, A=10
  return `UA${String(check).padStart(2, '0')}${bban}`;
}

function roundPriceUah(raw: number): number {
  const uah = Math.max(19, Math.round(raw));
  // Shelf prices end in 9 (e.g. 189 грн), as in Ukrainian retail.
  return uah < 30 ? uah : Math.floor(uah / 10) * 10 + 9;
}

function formatSize(size: number, unit: CategorySeed['unit']): string {
  if (unit === 'г' && size >= 1000) return `${size / 1000} кг`;
  if (unit === 'мл' && size >= 1000) return `${size / 1000} л`;
  return `${size} ${unit}`;
}

function category(code: string): CategorySeed {
  const found = CATEGORIES.find((c) => c.code === code);
  if (!found) throw new Error(`unknown category ${code}`);
  return found;
}

// ---------------------------------------------------------------------------
// Generator

export interface GenerateOptions {
  today?: Date;
  seed?: number;
}

export function generateDemoData(opts: GenerateOptions = {}): DemoData {
  const rng = createRng(opts.seed ?? DEFAULT_SEED);
  const today = toDayNumber(opts.today ?? new Date());

  const usedEdrpou = new Set<string>();
  const consignors: ConsignorRow[] = CONSIGNORS.map((c, i) => {
    let edrpou: string;
    do {
      const first7 = `${rng.pick(['3', '4'])}${digits(rng, 6)}`;
      edrpou = `${first7}${edrpouCheckDigit(first7)}`;
    } while (usedEdrpou.has(edrpou));
    usedEdrpou.add(edrpou);
    const plan = rng.pick<Plan>(['starter', 'standard', 'standard', 'premium']);
    // Premium producers pay for marketing up front, so the platform takes a smaller cut per sale.
    const commissionBp = { starter: 2000, standard: 1500, premium: 1000 }[plan] + (plan === 'premium' ? rng.int(0, 4) * 50 : -rng.int(0, 4) * 50);
    return {
      code: `C${String(i + 1).padStart(3, '0')}`,
      name: c.name,
      legalName: c.legalName,
      edrpou,
      iban: ukrainianIban(rng.pick(BANK_MFO), `00000${rng.pick(['2600', '2605', '2650'])}${digits(rng, 10)}`),
      email: `${rng.pick(['info', 'sales', 'office', 'zakaz'])}@${c.slug}.com.ua`,
      phone: phone(rng),
      plan,
      commissionBp,
      paymentTermsDays: rng.pick([14, 30, 30, 45]),
      hub: c.hub,
    };
  });

  const products: ProductRow[] = [];
  for (const cat of CATEGORIES) {
    const makers = CONSIGNORS.flatMap((c, i) => (c.categories.includes(cat.code) ? [i] : []));
    if (makers.length === 0) throw new Error(`no consignor makes ${cat.code}`);
    // Round-robin from a shuffled start guarantees every producer in the category gets products.
    const order = rng.shuffle(makers);
    let seq = 0;
    for (const base of cat.bases) {
      for (const size of base.sizes ?? cat.sizes) {
        const makerIndex = order[seq % order.length] as number;
        const maker = CONSIGNORS[makerIndex] as ConsignorSeed;
        const consignor = consignors[makerIndex] as ConsignorRow;
        seq += 1;
        const units = size / 1000;
        const packagingUah = cat.unit === 'мл' ? 12 : 6;
        const priceUah = roundPriceUah(base.uahPerUnit * units * (0.92 + rng.next() * 0.2) + packagingUah);
        const priceKop = priceUah * 100;
        const costKop = Math.round(priceKop * (0.55 + rng.next() * 0.17));
        const allergens = [...new Set([...cat.allergens, ...(base.allergens ?? [])])];
        products.push({
          sku: `GF-${cat.skuPrefix}-${String(seq).padStart(4, '0')}`,
          consignorCode: consignor.code,
          categoryCode: cat.code,
          name: `${base.name}, ${formatSize(size, cat.unit)}`,
          shortDescription: base.short,
          longDescription: [
            base.short,
            rng.pick(CRAFT_NOTES),
            `Виробник: ${maker.name} (${maker.region}).`,
            cat.storageNote,
            `Термін придатності — ${cat.shelfLifeDays} діб від дати виготовлення.`,
          ].join(' '),
          priceKop,
          costKop,
          weightG: Math.round(size * cat.gramsPerUnit),
          volumeMl: Math.round(size * cat.mlPerUnit),
          ingredients: base.ingredients,
          allergens,
          shelfLifeDays: cat.shelfLifeDays,
          storage: cat.storage,
        });
      }
    }
  }

  const batches: BatchRow[] = [];
  const stock: StockRow[] = [];
  for (const p of products) {
    const consignor = consignors.find((c) => c.code === p.consignorCode) as ConsignorRow;
    const shelf = category(p.categoryCode).shelfLifeDays;
    // Days until expiry; production = expiry - shelf life must not lie in the future.
    const expiries: number[] = [];
    const count = rng.int(1, 3);
    for (let i = 0; i < count; i++) {
      const roll = rng.next();
      let daysLeft: number;
      if (roll < 0.08) daysLeft = -rng.int(1, 20);
      else if (roll < 0.2 || shelf <= 8) daysLeft = rng.int(1, Math.min(7, shelf - 1));
      else daysLeft = rng.int(8, shelf - 1);
      expiries.push(today + daysLeft);
    }
    expiries.sort((a, b) => a - b);
    expiries.forEach((expiry, i) => {
      const code = `${p.sku}-L${i + 1}`;
      const expired = expiry < today;
      batches.push({
        code,
        sku: p.sku,
        originHub: consignor.hub,
        productionDate: dayNumberToIso(expiry - shelf),
        expiryDate: dayNumberToIso(expiry),
        status: expired ? 'expired' : 'in_stock',
      });
      const zoneCode = ZONE_CODE[p.storage];
      stock.push({ batchCode: code, hub: consignor.hub, zoneCode, qty: rng.int(5, 120) });
      // Part of a fresh batch is forwarded to another hub so buyers elsewhere get faster delivery.
      if (!expired && rng.chance(0.2)) {
        const other = rng.pick(HUBS.filter((h) => h.code !== consignor.hub));
        stock.push({ batchCode: code, hub: other.code, zoneCode, qty: rng.int(5, 120) });
      }
    });
  }

  const tiers = rng.shuffle<Tier>([
    ...Array<Tier>(36).fill('retail'),
    ...Array<Tier>(18).fill('b2b'),
    ...Array<Tier>(6).fill('vip'),
  ]);
  const usedNames = new Set<string>();
  const personName = (): { name: string; email: string } => {
    for (;;) {
      const female = rng.chance(0.55);
      const first = rng.pick(female ? FEMALE_FIRST : MALE_FIRST);
      const last = rng.pick(SURNAMES);
      const name = `${first} ${last}`;
      if (usedNames.has(name)) continue;
      usedNames.add(name);
      const suffix = rng.chance(0.4) ? String(rng.int(1, 99)) : '';
      return { name, email: `${transliterate(first)}.${transliterate(last)}${suffix}@${rng.pick(PERSONAL_DOMAINS)}` };
    }
  };
  const b2bQueue = [...B2B_COMPANIES];
  const vipCompanies = [...VIP_COMPANIES];
  let negotiated = 0;
  const buyers: BuyerRow[] = tiers.map((tier, i) => {
    const code = `B${String(i + 1).padStart(3, '0')}`;
    const company = tier === 'b2b' ? b2bQueue.shift() : tier === 'vip' && rng.chance(0.5) ? vipCompanies.shift() : undefined;
    if (company) {
      // A few wholesale clients have negotiated contracts that override the tier defaults.
      const override = tier === 'b2b' && negotiated < 3 && rng.chance(0.3);
      if (override) negotiated += 1;
      return {
        code,
        name: company.name,
        tier,
        email: `${rng.pick(['zakupivli', 'office', 'orders'])}@${company.slug}.ua`,
        phone: phone(rng),
        city: company.city,
        discountBp: override ? rng.pick([600, 700, 800]) : null,
        paymentTermsDays: override ? rng.pick([21, 30]) : null,
      };
    }
    const person = personName();
    return {
      code,
      name: person.name,
      tier,
      email: person.email,
      phone: phone(rng),
      city: rng.pick(RETAIL_CITIES),
      discountBp: null,
      paymentTermsDays: null,
    };
  });

  return { today: dayNumberToIso(today), consignors, products, batches, stock, buyers };
}
