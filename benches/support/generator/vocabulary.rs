//! Vocabularies of the synthetic notice generator: notifying members and their weights, agencies, products with
//! their HS and ICS codes, and the phrases titles and descriptions are made of.

/// Notifying members with a weight close to their share of real notifications, and their kinds of agency.
pub(super) const MEMBERS: &[(&str, u32)] = &[
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
pub(super) const EAC: &[&str] = &["KEN", "UGA", "TZA", "RWA"];

pub(super) fn agencies(member: &str) -> &'static [&'static str] {
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
pub(super) enum Group {
    Electrical,
    Children,
    Consumer,
    Industrial,
    /// SPS: food, with residue and contaminant limits.
    Food,
    /// SPS: plants, animals and their carriers, with quarantine requirements only.
    Quarantine,
}

pub(super) struct Product {
    pub(super) zh: &'static str,
    pub(super) en: &'static str,
    pub(super) hs: &'static [&'static str],
    pub(super) ics: &'static [&'static str],
    pub(super) group: Group,
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

pub(super) const TBT_PRODUCTS: &[Product] = &[
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

pub(super) const SPS_PRODUCTS: &[Product] = &[
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

pub(super) const REGULATIONS: &[Pair] = &[
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

pub(super) const STANDARDS: &[Pair] = &[
    ("安全技术规范", "safety technical specification"),
    ("通用技术条件", "general technical conditions"),
    ("有害物质限量", "limits of harmful substances"),
    ("标识标签规定", "provisions on marking and labelling"),
];

pub(super) const DRAFTS: &[Pair] = &[
    ("征求意见稿", "draft for comments"),
    ("草案", "draft"),
    ("修订草案", "draft amendment"),
    ("最终文本", "final text"),
];

pub(super) const INSTRUMENTS: &[Pair] = &[
    ("法规草案", "draft regulation"),
    ("部长令草案", "draft ministerial order"),
    ("技术条例草案", "draft technical resolution"),
    ("决议草案", "draft resolution"),
    ("标准草案", "draft standard"),
];

pub(super) const SPS_LIMITS: &[Pair] = &[
    ("农药最大残留限量", "maximum residue limits for pesticides"),
    ("农药残留限量", "pesticide residue limits"),
    ("兽药最大残留限量", "maximum residue limits for veterinary drugs"),
    ("污染物限量", "maximum levels for contaminants"),
    ("微生物限量", "microbiological criteria"),
    ("食品添加剂使用规定", "provisions on the use of food additives"),
];

pub(super) const SPS_REQUIREMENTS: &[Pair] = &[
    ("检疫要求", "quarantine requirements"),
    ("卫生要求", "sanitary requirements"),
    ("植物检疫要求", "phytosanitary requirements"),
    ("动物卫生要求", "animal health requirements"),
    ("官方证书要求", "official certification requirements"),
];

pub(super) const ASPECTS: &[Pair] = &[
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
    pub(super) fn specific(self) -> (&'static [Pair], &'static [Pair]) {
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

pub(super) const SUBSTANCES: &[Pair] = &[
    ("毒死蜱", "chlorpyrifos"),
    ("吡虫啉", "imidacloprid"),
    ("草甘膦", "glyphosate"),
    ("多菌灵", "carbendazim"),
    ("氯氰菊酯", "cypermethrin"),
    ("苯醚甲环唑", "difenoconazole"),
    ("恩诺沙星", "enrofloxacin"),
    ("黄曲霉毒素", "aflatoxins"),
];

pub(super) const PESTS: &[Pair] = &[
    ("地中海实蝇", "Mediterranean fruit fly (Ceratitis capitata)"),
    ("非洲猪瘟", "African swine fever"),
    ("高致病性禽流感", "highly pathogenic avian influenza"),
    ("松材线虫", "pine wood nematode (Bursaphelenchus xylophilus)"),
    ("柑橘黄龙病", "citrus greening (Candidatus Liberibacter spp.)"),
    ("口蹄疫", "foot-and-mouth disease"),
];

pub(super) const TBT_OBJECTIVES: &[(&str, u32)] = &[
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

pub(super) const SPS_OBJECTIVES: &[(&str, u32)] = &[
    ("FOOD_SAFETY", 10),
    ("ANIMAL_HEALTH", 4),
    ("PLANT_PROTECTION", 5),
    ("PROTECT_HUMANS_FROM_PESTS", 2),
    ("PROTECT_TERRITORY_FROM_PESTS", 3),
];

/// Addendum reasons with their Chinese and English captions.
pub(super) const ADDENDUM_REASONS: &[((&str, &str, &str), u32)] = &[
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
