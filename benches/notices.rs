//! Notice benchmark: generates realistic synthetic notices, imports them into SQLite and into PostgreSQL, lets
//! the application's outbox worker feed Meilisearch, and measures listing and search latency over HTTP.
//!
//! ```text
//! cargo bench --bench notices                          # 100,000 notices, both backends
//! ZHILIANG_BENCH_N=2000 cargo bench --bench notices    # quick smoke run
//! ```
//!
//! Environment: `ZHILIANG_BENCH_N` (default 100000), `ZHILIANG_BENCH_BACKENDS` (`sqlite,postgres`),
//! `ZHILIANG_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`, used to create and drop a
//! scratch database), `ZHILIANG_TEST_MEILI_URL` (default `http://127.0.0.1:7701`; start one with
//! `scripts/start-meilisearch 7701`).
//!
//! It prints figures; it asserts nothing. Run without `--bench` (as `cargo test --benches` does) it does nothing.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use zhiliang::Application;
use zhiliang::catalog::notices::members;
use zhiliang::config::Settings;
use zhiliang::search::{Catalogue, Search, outbox};

const SEED: u64 = 0x5a48_494c_4941_4e47; // "ZHILIANG"
const PAGE: usize = 20;
const SAMPLES: usize = 200;
const WARM_UP: usize = 5;
const DEEP_PAGES: usize = 1000;
/// The search outbox may stand still this long before the run gives up.
const STALL: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------------------------------------------------------
// A small deterministic PRNG (xorshift64*).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total as usize) as u32;
        for (item, w) in items {
            if roll < *w {
                return item;
            }
            roll -= w;
        }
        &items[items.len() - 1].0
    }

    /// `k` distinct elements (fewer if the slice is shorter), in slice order.
    fn some<'a, T>(&mut self, items: &'a [T], k: usize) -> Vec<&'a T> {
        let mut idx: Vec<usize> = Vec::new();
        while idx.len() < k.min(items.len()) {
            let i = self.below(items.len());
            if !idx.contains(&i) {
                idx.push(i);
            }
        }
        idx.sort_unstable();
        idx.into_iter().map(|i| &items[i]).collect()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabularies.

/// Notifying members with a weight close to their share of real notifications, and their kinds of agency.
const MEMBERS: &[(&str, u32)] = &[
    ("USA", 12),
    ("EU", 8),
    ("BRA", 7),
    ("CHN", 6),
    ("KOR", 5),
    ("JPN", 5),
    ("KEN", 5),
    ("UGA", 5),
    ("TPKM", 4),
    ("SAU", 4),
    ("CAN", 4),
    ("THA", 4),
    ("ISR", 4),
    ("TZA", 4),
    ("IND", 3),
    ("CHL", 3),
    ("MEX", 3),
    ("PER", 3),
    ("COL", 3),
    ("ECU", 3),
    ("VNM", 3),
    ("IDN", 3),
    ("PHL", 3),
    ("EGY", 3),
    ("RWA", 3),
    ("GBR", 3),
    ("UKR", 3),
    ("ARG", 2),
    ("MYS", 2),
    ("TUR", 2),
    ("CHE", 2),
    ("ARE", 2),
    ("AUS", 2),
    ("NZL", 1),
    ("ZAF", 1),
    ("QAT", 1),
];

/// East African Community members, which often notify jointly.
const EAC: &[&str] = &["KEN", "UGA", "TZA", "RWA"];

fn agencies(member: &str) -> &'static [&'static str] {
    match member {
        "USA" => &[
            "Consumer Product Safety Commission (CPSC)",
            "Food and Drug Administration (FDA)",
            "Environmental Protection Agency (EPA)",
            "Department of Energy (DOE)",
            "Animal and Plant Health Inspection Service (APHIS)",
        ],
        "EU" => &["European Commission"],
        "CHN" => &[
            "State Administration for Market Regulation (Standardization Administration of the People's Republic of China)",
            "General Administration of Customs of the People's Republic of China (GACC)",
            "Ministry of Industry and Information Technology (MIIT)",
        ],
        "JPN" => &[
            "Ministry of Economy, Trade and Industry (METI)",
            "Ministry of Health, Labour and Welfare (MHLW)",
        ],
        "KOR" => &[
            "Korean Agency for Technology and Standards (KATS)",
            "Ministry of Food and Drug Safety (MFDS)",
        ],
        "BRA" => &[
            "National Institute of Metrology, Quality and Technology (INMETRO)",
            "Brazilian Health Regulatory Agency (ANVISA)",
            "Ministry of Agriculture and Livestock (MAPA)",
        ],
        "KEN" | "UGA" | "TZA" | "RWA" => &["National Bureau of Standards", "Ministry of Agriculture"],
        _ => &[
            "Ministry of Industry and Trade",
            "National Standards Body",
            "Ministry of Agriculture",
            "Ministry of Health",
        ],
    }
}

/// What a product's measures are about: decides which requirements and changes its texts mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Electrical,
    Children,
    Consumer,
    Industrial,
    /// SPS: food, with residue and contaminant limits.
    Food,
    /// SPS: plants, animals and their carriers, with quarantine requirements only.
    Quarantine,
}

struct Product {
    zh: &'static str,
    en: &'static str,
    hs: &'static [&'static str],
    ics: &'static [&'static str],
    group: Group,
}

const fn p(
    zh: &'static str,
    en: &'static str,
    hs: &'static [&'static str],
    ics: &'static [&'static str],
    group: Group,
) -> Product {
    Product { zh, en, hs, ics, group }
}

use Group::{Children, Consumer, Electrical, Food, Industrial, Quarantine};

const TBT_PRODUCTS: &[Product] = &[
    p("玩具", "toys", &["9503", "950300"], &["97.200.50"], Children),
    p(
        "锂电池",
        "lithium-ion batteries",
        &["8507", "850760"],
        &["29.220.20", "29.220.99"],
        Electrical,
    ),
    p(
        "儿童用品",
        "children's products",
        &["9503", "9401", "940171", "6111"],
        &["97.190"],
        Children,
    ),
    p(
        "食品接触材料",
        "food contact materials",
        &["3924", "392410", "7323", "6912"],
        &["67.250"],
        Consumer,
    ),
    p(
        "电动自行车",
        "electric bicycles",
        &["8711", "871160"],
        &["43.150"],
        Electrical,
    ),
    p(
        "灯具",
        "luminaires",
        &["9405", "940510", "940540"],
        &["29.140.40"],
        Electrical,
    ),
    p(
        "家具",
        "furniture",
        &["9403", "940360", "940320"],
        &["97.140"],
        Industrial,
    ),
    p("模具", "moulds", &["8480", "848071"], &["25.120.30"], Industrial),
    p(
        "汽车零部件",
        "motor vehicle parts",
        &["8708", "870830", "870899"],
        &["43.040"],
        Industrial,
    ),
    p("文具", "stationery", &["9608", "960810", "4820"], &["97.180"], Children),
    p(
        "化妆品",
        "cosmetic products",
        &["3304", "330499", "3305"],
        &["71.100.70"],
        Consumer,
    ),
    p(
        "家用电器",
        "household electrical appliances",
        &["8516", "851610", "851660", "8509"],
        &["13.120", "97.030"],
        Electrical,
    ),
    p(
        "纺织品",
        "textile products",
        &["6302", "6109", "5208"],
        &["59.080.01"],
        Consumer,
    ),
    p(
        "医疗器械",
        "medical devices",
        &["9018", "901890"],
        &["11.040.01"],
        Industrial,
    ),
    p(
        "无线电设备",
        "radio equipment",
        &["8517", "851762"],
        &["33.060.01"],
        Electrical,
    ),
    p(
        "建筑材料",
        "construction products",
        &["6810", "6907"],
        &["91.100.01"],
        Industrial,
    ),
    p(
        "电冰箱",
        "household refrigerators",
        &["8418", "841810"],
        &["97.040.30"],
        Electrical,
    ),
    p(
        "轮胎",
        "pneumatic tyres",
        &["4011", "401110"],
        &["83.160.10"],
        Industrial,
    ),
    p("钢材", "steel products", &["7208", "7213"], &["77.140.01"], Industrial),
    p(
        "化学品",
        "chemical substances",
        &["3824", "2903"],
        &["71.100.01"],
        Industrial,
    ),
    p(
        "烟草制品",
        "tobacco products",
        &["2402", "240220"],
        &["65.160"],
        Consumer,
    ),
    p("葡萄酒", "wine", &["2204", "220421"], &["67.160.10"], Consumer),
    p("化肥", "fertilizers", &["3105", "3102"], &["65.080"], Industrial),
    p(
        "电线电缆",
        "electric wires and cables",
        &["8544", "854449"],
        &["29.060.20"],
        Electrical,
    ),
    p(
        "光伏组件",
        "photovoltaic modules",
        &["8541", "854143"],
        &["27.160"],
        Electrical,
    ),
    p(
        "预包装食品",
        "prepackaged foods",
        &["2106", "1905"],
        &["67.040"],
        Consumer,
    ),
];

const SPS_PRODUCTS: &[Product] = &[
    p(
        "柑橘",
        "citrus fruit",
        &["0805", "080510", "080550"],
        &["67.080.10"],
        Food,
    ),
    p(
        "食品添加剂",
        "food additives",
        &["2106", "210690"],
        &["67.220.20"],
        Food,
    ),
    p(
        "乳制品",
        "dairy products",
        &["0401", "0402", "0406"],
        &["67.100.10"],
        Food,
    ),
    p("禽肉", "poultry meat", &["0207", "020714"], &["67.120.20"], Food),
    p("牛肉", "bovine meat", &["0201", "0202"], &["67.120.10"], Food),
    p("猪肉", "pig meat", &["0203", "020329"], &["67.120.10"], Food),
    p("水产品", "fishery products", &["0303", "0306"], &["67.120.30"], Food),
    p("大豆", "soya beans", &["1201", "120190"], &["67.060"], Food),
    p("小麦", "wheat", &["1001", "100199"], &["67.060"], Food),
    p(
        "婴幼儿配方食品",
        "infant formula",
        &["1901", "190110"],
        &["67.230"],
        Food,
    ),
    p("蜂蜜", "natural honey", &["0409", "040900"], &["67.180.10"], Food),
    p("茶叶", "tea", &["0902", "090230"], &["67.140.10"], Food),
    p("苹果", "apples", &["0808", "080810"], &["67.080.10"], Food),
    p("宠物食品", "pet food", &["2309", "230910"], &["65.120"], Food),
    p(
        "种子",
        "seeds for sowing",
        &["1209", "120991"],
        &["65.020.20"],
        Quarantine,
    ),
    p(
        "木质包装材料",
        "wood packaging material",
        &["4415", "441520"],
        &["55.180"],
        Quarantine,
    ),
    p(
        "活体动物",
        "live animals",
        &["0102", "0105"],
        &["65.020.30"],
        Quarantine,
    ),
];

type Pair = (&'static str, &'static str);

const REGULATIONS: &[Pair] = &[
    ("技术法规", "technical regulation"),
    ("安全要求", "safety requirements"),
    ("标签要求", "labelling requirements"),
    ("合格评定程序", "conformity assessment procedures"),
    ("有害物质限量", "limits for hazardous substances"),
    ("强制性认证要求", "mandatory certification requirements"),
    ("技术规范", "technical specifications"),
    ("市场准入要求", "market access requirements"),
    ("检验规则", "inspection rules"),
];

const STANDARDS: &[Pair] = &[
    ("安全技术规范", "safety technical specification"),
    ("通用技术条件", "general technical conditions"),
    ("有害物质限量", "limits of harmful substances"),
    ("标识标签规定", "provisions on marking and labelling"),
];

const DRAFTS: &[Pair] = &[
    ("征求意见稿", "draft for comments"),
    ("草案", "draft"),
    ("修订草案", "draft amendment"),
    ("最终文本", "final text"),
];

const INSTRUMENTS: &[Pair] = &[
    ("法规草案", "draft regulation"),
    ("部长令草案", "draft ministerial order"),
    ("技术条例草案", "draft technical resolution"),
    ("决议草案", "draft resolution"),
    ("标准草案", "draft standard"),
];

const SPS_LIMITS: &[Pair] = &[
    ("农药最大残留限量", "maximum residue limits for pesticides"),
    ("农药残留限量", "pesticide residue limits"),
    ("兽药最大残留限量", "maximum residue limits for veterinary drugs"),
    ("污染物限量", "maximum levels for contaminants"),
    ("微生物限量", "microbiological criteria"),
    ("食品添加剂使用规定", "provisions on the use of food additives"),
];

const SPS_REQUIREMENTS: &[Pair] = &[
    ("检疫要求", "quarantine requirements"),
    ("卫生要求", "sanitary requirements"),
    ("植物检疫要求", "phytosanitary requirements"),
    ("动物卫生要求", "animal health requirements"),
    ("官方证书要求", "official certification requirements"),
];

const ASPECTS: &[Pair] = &[
    ("术语和定义", "terms and definitions"),
    ("技术要求", "technical requirements"),
    ("试验方法", "test methods"),
    ("检验规则", "inspection rules"),
    ("标志、包装、运输和贮存", "marking, packaging, transport and storage"),
    ("标签内容", "labelling content"),
    ("有害物质限量", "limits for hazardous substances"),
    ("合格评定程序", "conformity assessment procedures"),
];

impl Group {
    /// Requirements only this kind of product has, and the changes its drafts make.
    fn specific(self) -> (&'static [Pair], &'static [Pair]) {
        match self {
            Electrical => (
                &[
                    ("能效要求", "energy efficiency requirements"),
                    (
                        "能效限定值及能效等级",
                        "minimum energy performance and energy efficiency grades",
                    ),
                    ("电气安全要求", "electrical safety requirements"),
                ],
                &[
                    ("电磁兼容", "electromagnetic compatibility"),
                    ("热失控防护", "thermal runaway protection"),
                    ("能效限定值", "minimum energy performance"),
                    ("待机功耗", "standby power"),
                    ("防触电保护", "protection against electric shock"),
                ],
            ),
            Children => (
                &[
                    ("儿童安全要求", "child safety requirements"),
                    ("警示标识", "warning labels"),
                ],
                &[
                    ("邻苯二甲酸酯含量", "phthalate content"),
                    ("小零件", "small parts"),
                    ("重金属迁移量", "migration of heavy metals"),
                    ("可触及锐利边缘", "accessible sharp edges"),
                    ("磁体", "magnets"),
                ],
            ),
            Consumer => (
                &[
                    ("标签标识要求", "labelling and marking requirements"),
                    ("成分标示", "ingredient labelling"),
                ],
                &[
                    ("中文标签", "Chinese-language labelling"),
                    ("重金属迁移量", "migration of heavy metals"),
                    ("过敏原标示", "allergen labelling"),
                    ("禁用物质清单", "list of prohibited substances"),
                    ("可追溯性", "traceability"),
                ],
            ),
            Industrial => (
                &[
                    ("质量要求", "quality requirements"),
                    ("性能要求", "performance requirements"),
                ],
                &[
                    ("甲醛释放量", "formaldehyde emission"),
                    ("阻燃性能", "flame retardancy"),
                    ("可追溯性", "traceability"),
                    ("耐久性", "durability"),
                    ("产品认证", "product certification"),
                ],
            ),
            Food | Quarantine => (&[], &[]),
        }
    }
}

const SUBSTANCES: &[Pair] = &[
    ("毒死蜱", "chlorpyrifos"),
    ("吡虫啉", "imidacloprid"),
    ("草甘膦", "glyphosate"),
    ("多菌灵", "carbendazim"),
    ("氯氰菊酯", "cypermethrin"),
    ("苯醚甲环唑", "difenoconazole"),
    ("恩诺沙星", "enrofloxacin"),
    ("黄曲霉毒素", "aflatoxins"),
];

const PESTS: &[Pair] = &[
    ("地中海实蝇", "Mediterranean fruit fly (Ceratitis capitata)"),
    ("非洲猪瘟", "African swine fever"),
    ("高致病性禽流感", "highly pathogenic avian influenza"),
    ("松材线虫", "pine wood nematode (Bursaphelenchus xylophilus)"),
    ("柑橘黄龙病", "citrus greening (Candidatus Liberibacter spp.)"),
    ("口蹄疫", "foot-and-mouth disease"),
];

const TBT_OBJECTIVES: &[(&str, u32)] = &[
    ("HUMAN_HEALTH_SAFETY", 10),
    ("CONSUMER_PROTECTION", 6),
    ("ENVIRONMENT", 4),
    ("LABELLING", 5),
    ("QUALITY_REQUIREMENTS", 4),
    ("HARMONIZATION", 3),
    ("REDUCING_TRADE_BARRIERS", 1),
    ("NATIONAL_SECURITY", 1),
    ("COST_SAVING", 1),
    ("OTHER", 1),
];

const SPS_OBJECTIVES: &[(&str, u32)] = &[
    ("FOOD_SAFETY", 10),
    ("ANIMAL_HEALTH", 4),
    ("PLANT_PROTECTION", 5),
    ("PROTECT_HUMANS_FROM_PESTS", 2),
    ("PROTECT_TERRITORY_FROM_PESTS", 3),
];

/// Addendum reasons with their Chinese and English captions.
const ADDENDUM_REASONS: &[((&str, &str, &str), u32)] = &[
    (
        (
            "COMMENT_PERIOD_CHANGED",
            "延长评议期",
            "extension of the comment period",
        ),
        3,
    ),
    (("MEASURE_ADOPTED", "措施已通过", "adoption of the measure"), 4),
    (("MEASURE_PUBLISHED", "措施已发布", "publication of the measure"), 2),
    (("ENTERED_INTO_FORCE", "措施生效", "entry into force"), 2),
    (("WITHDRAWN", "撤回通报", "withdrawal of the measure"), 1),
    (("CONTENT_CHANGED", "内容修改", "changes to the content"), 2),
];

// ---------------------------------------------------------------------------------------------------------------
// The generator.

struct Original {
    symbols: Vec<String>,
    sps: bool,
    member: &'static str,
    product: &'static Product,
    date: NaiveDate,
    title_zh: String,
    title_en: String,
    agency: &'static str,
    hs: Vec<String>,
    ics: Vec<String>,
    objectives: Vec<&'static str>,
    adds: u16,
    revs: u16,
    corrs: u16,
}

struct Generated {
    records: usize,
    originals: usize,
    follow_ups: usize,
    bytes: u64,
    /// An original's symbol and a follow-up's symbol, for the search queries.
    sample_original: String,
    sample_follow_up: String,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn member_zh(code: &str) -> String {
    members::member(code).name_zh.unwrap_or_else(|| code.to_string())
}

fn member_en(code: &str) -> String {
    members::member(code).name_en.unwrap_or_else(|| code.to_string())
}

struct Generator {
    rng: Rng,
    first: NaiveDate,
    last: NaiveDate,
    numbers: HashMap<(bool, &'static str), u32>,
    originals: Vec<Original>,
}

impl Generator {
    fn next_number(&mut self, sps: bool, member: &'static str) -> u32 {
        let start = self.rng.range(1, 400) as u32;
        let n = self.numbers.entry((sps, member)).or_insert(start);
        *n += 1;
        *n
    }

    fn document(&mut self, member: &str, sps: bool, spanish: bool, date: NaiveDate, title: &str) -> Value {
        let area = if sps { "SPS" } else { "TBT" };
        let (lang, letter) = if spanish { ("es", "s") } else { ("en", "e") };
        let num = self.rng.range(1, 99_999);
        json!({
            "title": title,
            "url": format!(
                "https://members.wto.org/crnattachments/{}/{area}/{member}/{}_{num:05}_00_{}.pdf",
                date.format("%Y"),
                date.format("%y"),
                letter
            ),
            "language": lang,
            "pages": self.rng.range(2, 180),
        })
    }

    fn original(&mut self, index: usize, total: usize) -> (Value, Original) {
        let rng = &mut self.rng;
        let sps = rng.chance(35);
        let joint = !sps && rng.chance(2);
        // A joint notification of the East African Community is filed under its first member.
        let member = if joint { EAC[0] } else { *rng.weighted(MEMBERS) };
        let product: &'static Product = if sps {
            rng.pick(SPS_PRODUCTS)
        } else {
            rng.pick(TBT_PRODUCTS)
        };
        // Spread over 2015-2026 in file order, with some jitter.
        let span = (self.last - self.first).num_days();
        let day = (span * index as i64 / total.max(1) as i64 + rng.range(-20, 20)).clamp(0, span - 70);
        let date = self.first + chrono::Duration::days(day);
        let agency = *rng.pick(agencies(member));
        let hs_count = 1 + rng.below(2);
        let hs: Vec<String> = rng
            .some(product.hs, hs_count)
            .into_iter()
            .map(|s| s.to_string())
            .collect();
        let ics: Vec<String> = if !sps || rng.chance(50) {
            rng.some(product.ics, 1).into_iter().map(|s| s.to_string()).collect()
        } else {
            Vec::new()
        };
        let objectives_src = if sps { SPS_OBJECTIVES } else { TBT_OBJECTIVES };
        let mut objectives: Vec<&'static str> = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let o = *rng.weighted(objectives_src);
            if !objectives.contains(&o) {
                objectives.push(o);
            }
        }
        let (m_zh, m_en) = (member_zh(member), member_en(member));
        let (p_zh, p_en) = (product.zh, product.en);
        let draft = *rng.pick(DRAFTS);
        let months = *rng.pick(&[6, 12, 18, 24]);
        let (title_zh, title_en, description_zh, description_en, mut keywords): (
            String,
            String,
            String,
            String,
            Vec<String>,
        ) = if sps {
            let limit = *rng.pick(SPS_LIMITS);
            let req = *rng.pick(SPS_REQUIREMENTS);
            let substance = *rng.pick(SUBSTANCES);
            let pest = *rng.pick(PESTS);
            let template = if product.group == Quarantine { 1 } else { rng.below(3) };
            match template {
                0 => (
                    format!("{p_zh}中{}", limit.0),
                    format!("{} in {p_en}", capitalise(limit.1)),
                    format!(
                        "该通报拟修订{p_zh}中{}种物质的{}，包括{}等。限量依据食品法典委员会（CAC）标准及风险评估结果制定，适用于在{m_zh}境内销售的国产和进口{p_zh}。",
                        rng.range(3, 60),
                        limit.0,
                        substance.0
                    ),
                    format!(
                        "The notified measure revises the {} for {} substances in {p_en}, including {}. The limits follow Codex Alimentarius standards and risk assessments and apply to domestic and imported {p_en} sold in {m_en}.",
                        limit.1,
                        rng.range(3, 60),
                        substance.1
                    ),
                    vec![
                        p_zh.to_string(),
                        limit.0.to_string(),
                        substance.0.to_string(),
                        p_en.to_string(),
                    ],
                ),
                1 => (
                    format!("进口{p_zh}{}", req.0),
                    format!("{} for imported {p_en}", capitalise(req.1)),
                    format!(
                        "为防止{}传入，{m_zh}规定进口{p_zh}须附有出口国官方机构签发的证书，并在入境口岸接受检疫。来自疫区的货物须经批准的处理方法处理。",
                        pest.0
                    ),
                    format!(
                        "To prevent the introduction of {}, {m_en} requires imported {p_en} to be accompanied by an official certificate of the exporting country and to be inspected at the port of entry. Consignments from affected areas must undergo an approved treatment.",
                        pest.1
                    ),
                    vec![
                        p_zh.to_string(),
                        req.0.to_string(),
                        pest.0.to_string(),
                        p_en.to_string(),
                    ],
                ),
                _ => (
                    format!("{p_zh}{}（{}）", limit.0, draft.0),
                    format!("{} for {p_en} ({})", capitalise(limit.1), draft.1),
                    format!(
                        "该草案规定了{p_zh}的{}及检验方法，涉及{}，并规定了过渡期。",
                        limit.0, substance.0
                    ),
                    format!(
                        "The draft sets {} and methods of analysis for {p_en}, covering {}, with a transition period.",
                        limit.1, substance.1
                    ),
                    vec![p_zh.to_string(), limit.0.to_string(), p_en.to_string()],
                ),
            }
        } else {
            let (own_requirements, changes) = product.group.specific();
            let reg = if rng.chance(30) {
                *rng.pick(own_requirements)
            } else {
                *rng.pick(REGULATIONS)
            };
            let std = if rng.chance(30) {
                *rng.pick(own_requirements)
            } else {
                *rng.pick(STANDARDS)
            };
            let inst = *rng.pick(INSTRUMENTS);
            let asp = rng.some(ASPECTS, 3);
            let change = *rng.pick(changes);
            let (title_zh, title_en) = match rng.below(4) {
                0 => (
                    format!("{p_zh}{}（{}）", reg.0, draft.0),
                    format!("{}: {} ({})", capitalise(p_en), reg.1, draft.1),
                ),
                1 => (
                    format!("关于{p_zh}{}的{}", reg.0, inst.0),
                    format!("{} on {} for {p_en}", capitalise(inst.1), reg.1),
                ),
                2 => (
                    format!("《{p_zh}{}》{}", std.0, draft.0),
                    format!("{} — {} ({})", capitalise(p_en), std.1, draft.1),
                ),
                _ => (
                    format!("{m_zh}{p_zh}{}修订案", reg.0),
                    format!("Amendment to the {} for {p_en}", reg.1),
                ),
            };
            let description_zh = format!(
                "该{}规定了{p_zh}的{}、{}和{}，适用于在{m_zh}境内生产、进口和销售的{p_zh}。主要修改包括增加{}的要求，并调整了{}。拟于发布后{months}个月生效。",
                inst.0, asp[0].0, asp[1].0, asp[2].0, change.0, reg.0
            );
            let description_en = format!(
                "The {} sets out the {}, {} and {} of {p_en} manufactured, imported or sold in {m_en}. Main changes add requirements on {} and revise the {}. Proposed entry into force {months} months after publication.",
                inst.1, asp[0].1, asp[1].1, asp[2].1, change.1, reg.1
            );
            (
                title_zh,
                title_en,
                description_zh,
                description_en,
                vec![
                    p_zh.to_string(),
                    reg.0.to_string(),
                    change.0.to_string(),
                    p_en.to_string(),
                ],
            )
        };
        keywords.dedup();
        let mut symbols = Vec::new();
        let members_of: Vec<&'static str> = if joint { EAC.to_vec() } else { vec![member] };
        for m in members_of {
            let n = self.next_number(sps, m);
            symbols.push(format!("G/{}/N/{m}/{n}", if sps { "SPS" } else { "TBT" }));
        }
        let rng = &mut self.rng;
        let emergency = sps && rng.chance(5);
        let deadline = date + chrono::Duration::days(60);
        let en_deadline = rng.chance(50);
        let doc_title = title_en.clone();
        let spanish = matches!(member, "MEX" | "PER" | "COL" | "ECU" | "ARG" | "CHL");
        let mut record = json!({
            "type": "notice",
            "symbols": symbols,
            "area": if sps { "SPS" } else { "TBT" },
            "agency": agency,
            "distributionDate": iso(date),
            "commentDeadline": iso(deadline),
            "commentDeadlineText": if en_deadline { "60 days after notification" } else { "通报后60天" },
            "proposedAdoptionDateText": if rng.chance(50) { "To be determined" } else { "待定" },
            "proposedEntryIntoForceDateText": format!("{months} months after publication"),
            "titleZh": title_zh,
            "titleEn": title_en,
            "originalLanguage": if spanish { "Spanish" } else { "English" },
            "descriptionZh": description_zh,
            "descriptionEn": description_en,
            "productsText": format!("{} (HS {}); {p_zh}", capitalise(p_en), hs.join(", ")),
            "hsCodes": hs,
            "icsCodes": ics,
            "objectives": objectives,
            "keywords": keywords,
        });
        let o = record.as_object_mut().expect("an object");
        if sps {
            o.insert("regionsAffected".into(), json!(["All trading partners"]));
            o.insert("articles".into(), json!([if emergency { "6" } else { "5" }]));
            if emergency {
                o.insert("kind".into(), json!("EMERGENCY"));
            }
        } else {
            o.insert(
                "articles".into(),
                json!([*rng.pick(&["2.9.2", "2.10.1", "5.6.2", "2.9.2, 5.6.2"])]),
            );
        }
        if rng.chance(60) {
            o.insert(
                "proposedAdoptionDate".into(),
                json!(iso(date + chrono::Duration::days(180))),
            );
        }
        let doc = self.document(member, sps, spanish, date, &doc_title);
        record["documents"] = json!([doc]);
        let original = Original {
            symbols,
            sps,
            member,
            product,
            date,
            title_zh: record["titleZh"].as_str().unwrap_or_default().to_string(),
            title_en: record["titleEn"].as_str().unwrap_or_default().to_string(),
            agency,
            hs,
            ics,
            objectives,
            adds: 0,
            revs: 0,
            corrs: 0,
        };
        (record, original)
    }

    fn follow_up(&mut self) -> Value {
        // Follow-ups mostly concern recent notices.
        let window = self.originals.len().min(3000);
        let idx = self.originals.len() - 1 - self.rng.below(window);
        let roll = self.rng.below(100);
        let delay = self.rng.range(20, 400);
        let last = self.last;
        let o = &mut self.originals[idx];
        let date = (o.date + chrono::Duration::days(delay)).min(last);
        let base = o.symbols[0].clone();
        let (m_zh, m_en) = (member_zh(o.member), member_en(o.member));
        let (p_zh, p_en) = (o.product.zh, o.product.en);
        let mut record = json!({
            "type": "notice",
            "area": if o.sps { "SPS" } else { "TBT" },
            "agency": o.agency,
            "distributionDate": iso(date),
            "hsCodes": o.hs,
            "icsCodes": o.ics,
            "objectives": o.objectives,
            "keywords": [p_zh, p_en],
        });
        let (symbol, title_zh, title_en, description_zh, description_en);
        if roll < 70 {
            o.adds += 1;
            let k = o.adds;
            let reason = *self.rng.weighted(ADDENDUM_REASONS);
            symbol = format!("{base}/Add.{k}");
            title_zh = format!("{}补遗{k}：{}", o.title_zh, reason.1);
            title_en = format!("{}, Addendum {k}: {}", o.title_en, reason.2);
            description_zh = match reason.0 {
                "COMMENT_PERIOD_CHANGED" => {
                    let until = date + chrono::Duration::days(30);
                    record["commentDeadline"] = json!(iso(until));
                    record["commentDeadlineText"] = json!(format!("延长至{}", until.format("%Y年%-m月%-d日")));
                    format!("应部分成员请求，{m_zh}将{base}号通报的评议期延长30天。草案内容不变。")
                }
                "MEASURE_ADOPTED" => format!("{m_zh}通知，{base}号通报的关于{p_zh}的措施已于{}通过。", iso(date)),
                "MEASURE_PUBLISHED" => format!("{base}号通报的措施已在官方公报上发布，文本可从通报附件获取。"),
                "ENTERED_INTO_FORCE" => format!("{base}号通报的{p_zh}措施已于{}生效。", iso(date)),
                "WITHDRAWN" => format!("{m_zh}撤回{base}号通报的{p_zh}措施草案。"),
                _ => format!("{m_zh}根据收到的评议意见修改了{base}号通报的{p_zh}措施草案的部分内容。"),
            };
            description_en = format!(
                "{m_en} informs Members of the {} of notification {base} ({p_en}).",
                reason.2
            );
            record["addendumReasons"] = json!([reason.0]);
        } else if roll < 85 {
            o.revs += 1;
            let k = o.revs;
            symbol = format!("{base}/Rev.{k}");
            title_zh = format!("{}（修订版{k}）", o.title_zh);
            title_en = format!("{}, Revision {k}", o.title_en);
            description_zh =
                format!("本修订版取代{base}号通报。{m_zh}根据评议意见修订了{p_zh}措施草案，新的评议期为通报后60天。");
            description_en = format!(
                "This revision replaces notification {base}. {m_en} revised the draft on {p_en}; 60 days for comments."
            );
            record["commentDeadline"] = json!(iso(date + chrono::Duration::days(60)));
            record["commentDeadlineText"] = json!("通报后60天");
        } else {
            o.corrs += 1;
            let k = o.corrs;
            let what = *self.rng.pick(&[
                ("HS编码", "HS codes"),
                ("评议期截止日期", "comment deadline"),
                ("产品范围", "products covered"),
            ]);
            symbol = format!("{base}/Corr.{k}");
            title_zh = format!("{}勘误{k}", o.title_zh);
            title_en = format!("{}, Corrigendum {k}", o.title_en);
            description_zh = format!("更正{base}号通报中的{}。", what.0);
            description_en = format!("Corrects the {} in notification {base}.", what.1);
        }
        record["symbols"] = json!([symbol]);
        record["titleZh"] = json!(title_zh);
        record["titleEn"] = json!(title_en);
        record["descriptionZh"] = json!(description_zh);
        record["descriptionEn"] = json!(description_en);
        record["productsText"] = json!(format!("{} (HS {})", capitalise(p_en), o.hs.join(", ")));
        record
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn symbols_of(record: &Value) -> Vec<String> {
    strings(&record["symbols"])
}

/// Writes `n` notices as JSON Lines to `path`; the same `n` and seed always give the same file.
fn generate(path: &Path, n: usize, seed: u64) -> anyhow::Result<Generated> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut g = Generator {
        rng: Rng::new(seed),
        first: NaiveDate::from_ymd_opt(2015, 1, 1).expect("a date"),
        last: NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date"),
        numbers: HashMap::new(),
        originals: Vec::new(),
    };
    let mut follow_ups = 0;
    let mut sample_follow_up = String::new();
    for i in 0..n {
        let record = if !g.originals.is_empty() && g.rng.chance(20) {
            follow_ups += 1;
            let r = g.follow_up();
            if sample_follow_up.is_empty() {
                sample_follow_up = symbols_of(&r)[0].clone();
            }
            r
        } else {
            let (r, o) = g.original(i, n);
            g.originals.push(o);
            r
        };
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    let bytes = std::fs::metadata(path)?.len();
    let sample_original = g
        .originals
        .get(g.originals.len() / 2)
        .map(|o| o.symbols[0].clone())
        .unwrap_or_default();
    Ok(Generated {
        records: n,
        originals: g.originals.len(),
        follow_ups,
        bytes,
        sample_original,
        sample_follow_up,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Latency {
    p50: f64,
    p99: f64,
}

impl Latency {
    /// From samples in milliseconds: sorted, p = element ceil(p * n) - 1.
    fn of(mut samples: Vec<f64>) -> Latency {
        samples.sort_by(|a, b| a.total_cmp(b));
        let at = |q: f64| {
            let i = ((q * samples.len() as f64).ceil() as usize).max(1) - 1;
            samples[i.min(samples.len() - 1)]
        };
        Latency {
            p50: at(0.50),
            p99: at(0.99),
        }
    }

    fn cell(self) -> String {
        format!("{:.1} / {:.1}", self.p50, self.p99)
    }
}

struct Figures {
    backend: Backend,
    rows: u64,
    import_secs: f64,
    settings_secs: f64,
    catch_up_secs: f64,
    docs: u64,
    walk_secs: f64,
    deep_page: usize,
    first: Latency,
    deep: Latency,
    filtered: Latency,
    search: Latency,
}

struct Env {
    n: usize,
    meili_url: String,
    pg_admin_url: String,
    data: std::path::PathBuf,
    scratch: std::path::PathBuf,
    generated: Generated,
}

const LIST: &str = "query($after: String, $filter: NoticeFilter) { notices(first: 20, after: $after, filter: $filter) { edges { cursor node { symbol titleZh distributionDate } } pageInfo { endCursor hasNextPage } } }";
const SEARCH: &str = "query($q: String!) { searchNotices(query: $q, first: 20) { edges { cursor node { symbol titleZh distributionDate } } estimatedTotalCount } }";

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn gql(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let resp = self
            .http
            .post(&self.url)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .with_context(|| format!("POST {}", self.url))?;
        let status = resp.status();
        let body: Value = resp.json().await.context("reading the GraphQL response")?;
        if !status.is_success() || body.get("errors").is_some() {
            bail!("GraphQL request failed ({status}): {body}");
        }
        Ok(body["data"].clone())
    }

    /// `WARM_UP` untimed requests, then `SAMPLES` timed ones; `check` sees every response.
    async fn measure(
        &self,
        query: &str,
        variables: impl Fn(usize) -> Value,
        mut check: impl FnMut(usize, &Value) -> anyhow::Result<()>,
    ) -> anyhow::Result<Latency> {
        for i in 0..WARM_UP {
            self.gql(query, variables(i)).await?;
        }
        let mut samples = Vec::with_capacity(SAMPLES);
        for i in 0..SAMPLES {
            let vars = variables(i);
            let t = Instant::now();
            let data = self.gql(query, vars).await?;
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            check(i, &data)?;
        }
        Ok(Latency::of(samples))
    }
}

fn edges(data: &Value, field: &str) -> usize {
    data[field]["edges"].as_array().map(Vec::len).unwrap_or(0)
}

fn search_queries(g: &Generated) -> Vec<String> {
    let mut q: Vec<String> = [
        "玩具",
        "锂电池",
        "儿童用品 安全要求",
        "食品接触材料",
        "电动自行车",
        "灯具 能效",
        "家具 甲醛释放量",
        "模具",
        "汽车零部件",
        "文具",
        "化妆品 标签要求",
        "农药残留限量",
        "柑橘 检疫",
        "合格评定程序 征求意见稿",
        "兒童用品",
        "美国 玩具",
        "lithium-ion batteries",
        "9503",
        "850760",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    q.push(g.sample_original.clone());
    if !g.sample_follow_up.is_empty() {
        q.push(g.sample_follow_up.clone());
    }
    q
}

async fn check_meilisearch(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
    let resp = http
        .get(format!("{}/health", url.trim_end_matches('/')))
        .send()
        .await
        .map_err(|e| {
            anyhow!("Meilisearch is not reachable at {url} ({e}); start one with `scripts/start-meilisearch 7701` or set ZHILIANG_TEST_MEILI_URL")
        })?;
    if !resp.status().is_success() {
        bail!("Meilisearch at {url} answers /health with {}", resp.status());
    }
    Ok(())
}

async fn pg_admin(url: &str) -> anyhow::Result<DatabaseConnection> {
    Database::connect(url).await.map_err(|e| {
        anyhow!(
            "PostgreSQL is not reachable at {} ({e}); start it or set ZHILIANG_TEST_PG_URL (or ZHILIANG_BENCH_BACKENDS=sqlite)",
            zhiliang::db::redact(url)
        )
    })
}

/// The database URL for a backend, and the PostgreSQL database to drop afterwards.
async fn prepare_database(backend: Backend, env: &Env) -> anyhow::Result<(String, Option<String>)> {
    match backend {
        Backend::Sqlite => Ok((format!("sqlite://{}/bench.db?mode=rwc", env.scratch.display()), None)),
        Backend::Postgres => {
            let name = format!("zl_bench_{}", std::process::id());
            let admin = pg_admin(&env.pg_admin_url).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .with_context(|| format!("creating the PostgreSQL database {name}"))?;
            admin.close().await?;
            let base = env.pg_admin_url.split('?').next().unwrap_or(&env.pg_admin_url);
            let root = base
                .rfind('/')
                .filter(|i| *i > "postgres://".len())
                .map(|i| &base[..i])
                .unwrap_or(base);
            Ok((format!("{root}/{name}"), Some(name)))
        }
    }
}

async fn run_backend(backend: Backend, env: &Env) -> anyhow::Result<Figures> {
    println!("\n## {} ({} notices)", backend.label(), env.n);
    let (database_url, pg_database) = prepare_database(backend, env).await?;
    let settings = Settings {
        database_url,
        meili_url: env.meili_url.clone(),
        meili_index_prefix: format!("bench_{}_{}_", std::process::id(), backend.name()),
        listen: "127.0.0.1:0".parse()?,
        ..Settings::default()
    };
    let result = measure_backend(backend, env, &settings).await;
    // Clean up whatever happened.
    let mut cleanup: Vec<String> = Vec::new();
    match Search::new(&settings) {
        Ok(search) => {
            let uid = search.index_uid(Catalogue::Notices);
            match search.timed("delete index", search.client.delete_index(&uid)).await {
                Ok(task) => {
                    if let Err(e) = search.wait(task, Duration::from_secs(60)).await
                        && !format!("{e:#}").contains("index_not_found")
                    {
                        cleanup.push(format!("deleting the Meilisearch index {uid}: {e:#}"));
                    }
                }
                Err(e) => cleanup.push(format!("deleting the Meilisearch index {uid}: {e:#}")),
            }
        }
        Err(e) => cleanup.push(format!("{e:#}")),
    }
    if let Some(name) = pg_database {
        let dropped = async {
            let admin = pg_admin(&env.pg_admin_url).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await?;
            admin.close().await?;
            anyhow::Ok(())
        };
        if let Err(e) = dropped.await {
            cleanup.push(format!("dropping the PostgreSQL database {name}: {e:#}"));
        }
    }
    for c in &cleanup {
        eprintln!("bench: clean-up failed: {c}");
    }
    let figures = result?;
    if let Some(c) = cleanup.first() {
        bail!("clean-up failed: {c}");
    }
    Ok(figures)
}

async fn measure_backend(backend: Backend, env: &Env, settings: &Settings) -> anyhow::Result<Figures> {
    let db = zhiliang::db::connect(&settings.database_url).await?;
    zhiliang::db::migrate(&db).await?;

    // Import.
    let t = Instant::now();
    let report = zhiliang::import::import_file(&db, &env.data, false).await?;
    let import_secs = t.elapsed().as_secs_f64();
    if !report.rejected.is_empty() {
        let some: Vec<String> = report.rejected.iter().take(3).map(|r| r.to_string()).collect();
        bail!(
            "the generator wrote {} rows the import rejected, e.g.:\n  {}",
            report.rejected.len(),
            some.join("\n  ")
        );
    }
    let rows = report.added + report.updated;
    println!(
        "import: {rows} rows ({}) in {import_secs:.2} s = {:.0} rows/s",
        report.summary(),
        rows as f64 / import_secs
    );

    // Index settings, then the outbox worker's catch-up.
    let search = Search::new(settings)?;
    let t = Instant::now();
    search.apply_settings().await?;
    let settings_secs = t.elapsed().as_secs_f64();
    println!("search: index created and settings applied in {settings_secs:.2} s");
    let docs = outbox::pending(&db).await?;
    let app = Application::build(settings.clone()).await?;
    let port = app.port();
    let (stop, stopped) = oneshot::channel::<()>();
    let t = Instant::now();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let measured = async {
        let mut last = docs;
        let mut last_change = Instant::now();
        let mut last_report = Instant::now();
        loop {
            let left = outbox::pending(&db).await?;
            if left == 0 {
                break;
            }
            if left != last {
                last = left;
                last_change = Instant::now();
            } else if last_change.elapsed() > STALL {
                let error = outbox::oldest(&db).await?.and_then(|o| o.last_error);
                bail!(
                    "the search outbox stayed at {left} entries for {} s; last error: {}",
                    STALL.as_secs(),
                    error.as_deref().unwrap_or("none")
                );
            }
            if server.is_finished() {
                bail!("the application stopped while the outbox still held {left} entries");
            }
            if last_report.elapsed() > Duration::from_secs(15) {
                eprintln!(
                    "bench: {left} of {docs} outbox entries left after {:.0} s",
                    t.elapsed().as_secs_f64()
                );
                last_report = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let catch_up_secs = t.elapsed().as_secs_f64();
        println!(
            "search: caught up with {docs} documents in {catch_up_secs:.2} s = {:.0} docs/s",
            docs as f64 / catch_up_secs
        );

        let client = Client {
            http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?,
            url: format!("http://127.0.0.1:{port}/graphql"),
        };
        let want = PAGE.min(rows as usize);

        // First page.
        let first = client
            .measure(
                LIST,
                |_| json!({}),
                |_, d| {
                    if edges(d, "notices") != want {
                        bail!("first page: expected {want} edges, got {}", edges(d, "notices"));
                    }
                    Ok(())
                },
            )
            .await?;
        println!(
            "notices(first: 20), page 1: p50 {:.2} ms, p99 {:.2} ms",
            first.p50, first.p99
        );

        // Walk forward to a deep cursor; stop one page short of the end so the page after it is full-ish.
        let depth = DEEP_PAGES.min((rows as usize).div_ceil(PAGE).saturating_sub(1));
        let mut cursor: Option<String> = None;
        let t = Instant::now();
        for page in 1..=depth {
            let d = client.gql(LIST, json!({ "after": cursor })).await?;
            cursor = d["notices"]["pageInfo"]["endCursor"].as_str().map(str::to_string);
            if cursor.is_none() {
                bail!("page {page} has no endCursor");
            }
        }
        let walk_secs = t.elapsed().as_secs_f64();
        let deep_page = depth + 1;
        println!(
            "cursor walk: {depth} pages in {walk_secs:.2} s ({:.2} ms/page)",
            walk_secs * 1000.0 / depth.max(1) as f64
        );
        let deep = client
            .measure(
                LIST,
                |_| json!({ "after": cursor }),
                |_, d| {
                    if edges(d, "notices") == 0 {
                        bail!("page {deep_page} is empty");
                    }
                    Ok(())
                },
            )
            .await?;
        println!(
            "notices(first: 20), page {deep_page}: p50 {:.2} ms, p99 {:.2} ms",
            deep.p50, deep.p99
        );

        // A filtered listing.
        let mut filtered_edges = 0;
        let filtered = client
            .measure(
                LIST,
                |_| json!({ "filter": { "hsCodes": ["9503"] } }),
                |_, d| {
                    filtered_edges = edges(d, "notices");
                    Ok(())
                },
            )
            .await?;
        println!(
            "notices(first: 20, filter: {{hsCodes: [\"9503\"]}}): p50 {:.2} ms, p99 {:.2} ms ({filtered_edges} edges)",
            filtered.p50, filtered.p99
        );

        // Search.
        let queries = search_queries(&env.generated);
        let mut totals: Vec<Option<i64>> = vec![None; queries.len()];
        let search = client
            .measure(
                SEARCH,
                |i| json!({ "q": queries[i % queries.len()] }),
                |i, d| {
                    totals[i % queries.len()] = d["searchNotices"]["estimatedTotalCount"].as_i64();
                    Ok(())
                },
            )
            .await?;
        println!(
            "searchNotices(first: 20), {} queries: p50 {:.2} ms, p99 {:.2} ms",
            queries.len(),
            search.p50,
            search.p99
        );
        let hits: Vec<String> = queries
            .iter()
            .zip(&totals)
            .map(|(q, t)| format!("{q}={}", t.map(|t| t.to_string()).unwrap_or_else(|| "?".into())))
            .collect();
        println!("search hits (estimated): {}", hits.join(", "));
        let empty = totals.iter().filter(|t| **t == Some(0)).count();
        if empty > 0 {
            println!("note: {empty} of {} queries found nothing", queries.len());
        }

        anyhow::Ok(Figures {
            backend,
            rows,
            import_secs,
            settings_secs,
            catch_up_secs,
            docs,
            walk_secs,
            deep_page,
            first,
            deep,
            filtered,
            search,
        })
    }
    .await;
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(30), server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => eprintln!("bench: the application ended with an error: {e:#}"),
        Ok(Err(e)) => eprintln!("bench: the application task failed: {e}"),
        Err(_) => eprintln!("bench: the application did not stop within 30 s"),
    }
    db.close().await?;
    measured
}

fn commit() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) if !head.is_empty() => {
            let dirty = git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{head} (with uncommitted changes)")
            } else {
                head
            }
        }
        _ => "none (no commit yet)".to_string(),
    }
}

fn table(figures: &[Figures]) -> String {
    let deep = figures.first().map(|f| f.deep_page).unwrap_or(DEEP_PAGES + 1);
    let mut t = String::new();
    t.push_str(&format!(
        "| backend | import rows/s | search catch-up s (docs/s) | first page p50 / p99 ms | page {deep} p50 / p99 ms | filtered (hsCodes 9503) p50 / p99 ms | searchNotices p50 / p99 ms |\n"
    ));
    t.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for f in figures {
        let deep_cell = if f.deep_page == deep {
            f.deep.cell()
        } else {
            format!("{} (page {})", f.deep.cell(), f.deep_page)
        };
        t.push_str(&format!(
            "| {} | {:.0} | {:.1} ({:.0}) | {} | {} | {} | {} |\n",
            f.backend.label(),
            f.rows as f64 / f.import_secs,
            f.catch_up_secs,
            f.docs as f64 / f.catch_up_secs,
            f.first.cell(),
            deep_cell,
            f.filtered.cell(),
            f.search.cell(),
        ));
    }
    t
}

fn parse_backends() -> anyhow::Result<Vec<Backend>> {
    let raw = std::env::var("ZHILIANG_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let b = match part.to_ascii_lowercase().as_str() {
            "sqlite" => Backend::Sqlite,
            "postgres" | "postgresql" | "pg" => Backend::Postgres,
            other => bail!("ZHILIANG_BENCH_BACKENDS: {other:?} is not sqlite or postgres"),
        };
        if !out.contains(&b) {
            out.push(b);
        }
    }
    if out.is_empty() {
        bail!("ZHILIANG_BENCH_BACKENDS names no backend");
    }
    Ok(out)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then there is nothing to do.
    if !std::env::args().any(|a| a == "--bench") {
        println!("notices benchmark: skipped (run it with `cargo bench --bench notices`)");
        return Ok(());
    }
    let n: usize = match std::env::var("ZHILIANG_BENCH_N") {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| anyhow!("ZHILIANG_BENCH_N: {v:?} is not a positive whole number"))?,
        Err(_) => 100_000,
    };
    let backends = parse_backends()?;
    let meili_url = std::env::var("ZHILIANG_TEST_MEILI_URL").unwrap_or_else(|_| "http://127.0.0.1:7701".into());
    let pg_admin_url =
        std::env::var("ZHILIANG_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());

    // Fail early when a service is missing.
    check_meilisearch(&meili_url).await?;
    if backends.contains(&Backend::Postgres) {
        pg_admin(&pg_admin_url).await?.close().await?;
    }

    let scratch = tempfile::tempdir().context("creating a temporary folder")?;
    let data = scratch.path().join("notices.jsonl");
    let t = Instant::now();
    let generated = generate(&data, n, SEED)?;
    println!(
        "generated {} notices ({} originals, {} follow-ups), {:.1} MB of JSON Lines in {:.2} s",
        generated.records,
        generated.originals,
        generated.follow_ups,
        generated.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let env = Env {
        n,
        meili_url,
        pg_admin_url,
        data,
        scratch: scratch.path().to_path_buf(),
        generated,
    };

    let mut figures = Vec::new();
    for b in backends {
        figures.push(
            run_backend(b, &env)
                .await
                .with_context(|| format!("{} benchmark", b.label()))?,
        );
    }

    println!("\n## Summary\n");
    println!("N = {n}; commit {}", commit());
    println!("command: ZHILIANG_BENCH_N={n} cargo bench --bench notices");
    if let Some(level) = option_env!("CARGO_PROFILE_BENCH_OPT_LEVEL") {
        println!("note: built with CARGO_PROFILE_BENCH_OPT_LEVEL={level}; figures are not those of a release build");
    }
    println!(
        "machine: {} CPU(s); Meilisearch {}; latency over HTTP on 127.0.0.1, {SAMPLES} sequential requests after {WARM_UP} warm-up, p99 = sample ceil(0.99 n)",
        std::thread::available_parallelism().map(|p| p.get()).unwrap_or(0),
        env.meili_url
    );
    println!();
    print!("{}", table(&figures));
    println!();
    for f in &figures {
        println!(
            "{}: import {:.1} s, index settings {:.1} s, catch-up {:.1} s, cursor walk of {} pages {:.1} s",
            f.backend.label(),
            f.import_secs,
            f.settings_secs,
            f.catch_up_secs,
            f.deep_page - 1,
            f.walk_secs
        );
    }
    Ok(())
}
