//! The brand widget, `/embed/brands`: what `brands(schemes:, filter:)` lists (by scheme, region, level, day),
//! with each brand's status on `activeOn` (default today), dates written 2026-11-29.

use crate::catalog::listings::brand::{Brand, BrandScheme};
use crate::catalog::listings::model::{AwardStatus, ListingKind};
use crate::catalog::terms::Level;
use crate::http::HttpState;

use super::listings::{self, Awards};
use super::page::View;
use super::params::{Lang, Look, Params, Refusal};

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

const BRANDS: Awards<BrandScheme> = Awards {
    kind: ListingKind::Brand,
    listing: "brands",
    columns: [
        ("品牌名称", "Brand"),
        ("类别", "Scheme"),
        ("企业名称", "Enterprise"),
        ("产品", "Product"),
        ("级别", "Level"),
        ("认定机关", "Issuer"),
        ("认定日期", "Awarded on"),
        ("有效期至", "Valid until"),
        ("状态", "Status"),
    ],
    caption: ("品牌名录", "Brands"),
    empty: ("没有符合条件的品牌。", "No brands match."),
    parse: BrandScheme::parse,
    as_str: BrandScheme::as_str,
    scheme_name,
    status: |l, day| Brand(l.clone()).status_on(day),
    holder: |_, e| e.and_then(|e| e.name.clone()).unwrap_or_default(),
    detail: |l| l.details.product.as_deref(),
};

async fn build(s: &HttpState, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    listings::awards(&BRANDS, s, p, look).await
}
