//! The synthetic notice generator shared by the benchmarks: WTO TBT and SPS notifications and their addenda,
//! revisions and corrigenda, drawn from fixed vocabularies with a deterministic PRNG, so that the same count and
//! seed always give the same records.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use serde_json::{Value, json};
use zhiliang::catalog::notices::members;

mod rng;
mod vocabulary;

use rng::Rng;
use vocabulary::{
    ADDENDUM_REASONS, ASPECTS, DRAFTS, EAC, Group, INSTRUMENTS, MEMBERS, PESTS, Product, REGULATIONS, SPS_LIMITS,
    SPS_OBJECTIVES, SPS_PRODUCTS, SPS_REQUIREMENTS, STANDARDS, SUBSTANCES, TBT_OBJECTIVES, TBT_PRODUCTS, agencies,
};

/// The seed of the benchmarks' data.
pub const SEED: u64 = 0x5a48_494c_4941_4e47; // "ZHILIANG"

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

/// What [`write_jsonl`] wrote.
pub struct Generated {
    pub records: usize,
    pub originals: usize,
    pub follow_ups: usize,
    pub bytes: u64,
    /// An original's symbol and a follow-up's symbol, for the search queries.
    pub sample_original: String,
    pub sample_follow_up: String,
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
            let template = if product.group == Group::Quarantine {
                1
            } else {
                rng.below(3)
            };
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

/// The notices of one run, in file order: originals, and (from the second record on) one in five a follow-up
/// of a recent original.
pub struct Notices {
    g: Generator,
    index: usize,
    total: usize,
    follow_ups: usize,
    sample_follow_up: String,
}

/// `n` notices from `seed`; the same `n` and seed always give the same records.
pub fn notices(n: usize, seed: u64) -> Notices {
    Notices {
        g: Generator {
            rng: Rng::new(seed),
            first: NaiveDate::from_ymd_opt(2015, 1, 1).expect("a date"),
            last: NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date"),
            numbers: HashMap::new(),
            originals: Vec::new(),
        },
        index: 0,
        total: n,
        follow_ups: 0,
        sample_follow_up: String::new(),
    }
}

impl Iterator for Notices {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        if self.index == self.total {
            return None;
        }
        let i = self.index;
        self.index += 1;
        let g = &mut self.g;
        let record = if !g.originals.is_empty() && g.rng.chance(20) {
            self.follow_ups += 1;
            let r = g.follow_up();
            if self.sample_follow_up.is_empty() {
                self.sample_follow_up = symbols_of(&r)[0].clone();
            }
            r
        } else {
            let (r, o) = g.original(i, self.total);
            g.originals.push(o);
            r
        };
        Some(record)
    }
}

/// Writes `n` notices as JSON Lines to `path`; the same `n` and seed always give the same file.
pub fn write_jsonl(path: &Path, n: usize, seed: u64) -> anyhow::Result<Generated> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut records = notices(n, seed);
    for record in records.by_ref() {
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    let bytes = std::fs::metadata(path)?.len();
    let originals = &records.g.originals;
    let sample_original = originals
        .get(originals.len() / 2)
        .map(|o| o.symbols[0].clone())
        .unwrap_or_default();
    Ok(Generated {
        records: records.index,
        originals: originals.len(),
        follow_ups: records.follow_ups,
        bytes,
        sample_original,
        sample_follow_up: records.sample_follow_up,
    })
}

/// Search queries for the generated notices: words of the vocabularies alone and combined, a traditional-script
/// and a member-name variant, HS codes, and the symbols of an original and of a follow-up.
pub fn search_queries(g: &Generated) -> Vec<String> {
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
