//! The brand widget, `/embed/brands`: what `brands(schemes:, filter:)` lists (by scheme, region, level, day),
//! with each brand's status on `activeOn` (default today), dates written 2026-11-29.

use maud::html;

use crate::catalog::listings::brand::{Brand, BrandScheme};
use crate::catalog::listings::graphql::ListingFilter;
use crate::catalog::listings::model::{AwardStatus, ListingKind};
use crate::catalog::terms::Level;
use crate::graphql::scalars::today_in_china;
use crate::http::HttpState;

use super::listings::{self, FILTER_FIELDS};
use super::page::{Column, DateStyle, Row, Table, View, date, date_cell};
use super::params::{Field, Lang, Look, Params, Refusal};

super::widget_handler!(build);

pub fn scheme_name(s: BrandScheme, lang: Lang) -> &'static str {
    match s {
        BrandScheme::WellKnownTrademark => lang.t("中国驰名商标", "Well-known trademark"),
        BrandScheme::ChinaFamousProduct => lang.t("中国名牌产品", "China famous-brand product"),
        BrandScheme::ProvincialFamousProduct => lang.t("省名牌产品", "Provincial famous-brand product"),
        BrandScheme::GeographicalIndication => lang.t("地理标志", "Geographical indication"),
        BrandScheme::ZhejiangMade => lang.t("浙江制造", "Zhejiang Made"),
        BrandScheme::ProvincialFamousTrademark => lang.t("省著名商标", "Provincial famous trademark"),
    }
}

pub fn level_name(l: Option<Level>, lang: Lang) -> &'static str {
    match l {
        Some(Level::National) => lang.t("国家级", "National"),
        Some(Level::Provincial) => lang.t("省级", "Provincial"),
        Some(Level::City) => lang.t("市级", "City"),
        Some(Level::County) => lang.t("县级", "County"),
        None => "",
    }
}

pub fn status_name(s: AwardStatus, lang: Lang) -> &'static str {
    match s {
        AwardStatus::Valid => lang.t("有效", "Valid"),
        AwardStatus::Expired => lang.t("已过期", "Expired"),
        AwardStatus::Revoked => lang.t("已撤销", "Revoked"),
        AwardStatus::SchemeAbolished => lang.t("已取消评定", "Scheme abolished"),
        AwardStatus::NotYetAwarded => lang.t("尚未认定", "Not yet awarded"),
    }
}

async fn build(s: &HttpState, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    let lang = look.lang;
    let schemes: Option<Vec<BrandScheme>> = p.arg("schemes", Field::EnumList)?;
    let filter: Option<ListingFilter> = p.input(FILTER_FIELDS)?;
    let first = p.first()?;
    let after = p.one("after");
    p.finish()?;
    let schemes = schemes.unwrap_or_default();
    let filter = filter.unwrap_or_default();
    let day = filter.active_on.map(|d| d.0).unwrap_or_else(today_in_china);
    let names = schemes.iter().map(|s| s.as_str().to_string()).collect();
    let q = listings::query(s, ListingKind::Brand, names, filter).await?;
    let page = listings::page(s, p, "brands", q, first, after).await?;
    let d = |x| date_cell(x, DateStyle::Iso, lang);
    let rows = page
        .rows
        .iter()
        .map(|l| {
            let e = l.enterprise_id.and_then(|id| page.enterprises.get(&id));
            let scheme = BrandScheme::parse(&l.scheme)
                .map(|s| scheme_name(s, lang))
                .unwrap_or(&l.scheme);
            let status = Brand(l.clone()).status_on(day);
            Row {
                ended: status != AwardStatus::Valid,
                cells: vec![
                    html! { (l.name.as_deref().unwrap_or("")) },
                    html! { (scheme) },
                    html! { (e.and_then(|e| e.name.as_deref()).unwrap_or("")) },
                    html! { (l.details.product.as_deref().unwrap_or("")) },
                    html! { (level_name(l.level.as_deref().and_then(Level::parse), lang)) },
                    html! { (l.authority.as_deref().unwrap_or("")) },
                    html! { (d(l.started_on)) },
                    html! { (d(l.valid_until)) },
                    html! { (status_name(status, lang)) },
                ],
            }
        })
        .collect();
    let columns = [
        ("品牌名称", "Brand"),
        ("类别", "Scheme"),
        ("企业名称", "Enterprise"),
        ("产品", "Product"),
        ("级别", "Level"),
        ("认定机关", "Issuer"),
        ("认定日期", "Awarded on"),
        ("有效期至", "Valid until"),
        ("状态", "Status"),
    ]
    .iter()
    .map(|(zh, en)| Column::plain(lang.t(zh, en)))
    .collect();
    let caption = match schemes.as_slice() {
        [one] => scheme_name(*one, lang).to_string(),
        _ => lang.t("品牌名录", "Brands").to_string(),
    };
    Ok(View {
        title: caption.clone(),
        subtitle: Some(format!(
            "{}{}",
            lang.t("状态截至 ", "Status as of "),
            date(Some(day), DateStyle::Iso, lang)
        )),
        tables: vec![Table {
            caption,
            columns,
            rows,
            empty: lang.t("没有符合条件的品牌。", "No brands match.").to_string(),
        }],
        pager: page.pager,
        last_modified: None,
    })
}
