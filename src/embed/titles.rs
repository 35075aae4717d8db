//! The title widget, `/embed/titles`: what `titles(schemes:, filter:)` lists (by scheme, region, level, day),
//! with each title's holder (an enterprise, or a place for a production base) and its status on `activeOn`
//! (default today).

use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::title::{Title, TitleScheme};
use crate::http::HttpState;

use super::listings::{self, Awards};
use super::page::View;
use super::params::{Lang, Look, Params, Refusal};

super::widget_handler!(build);

pub fn scheme_name(s: TitleScheme, lang: Lang) -> &'static str {
    match s {
        TitleScheme::GovernmentQualityAward => lang.t("政府质量奖", "Government quality award"),
        TitleScheme::SingleChampion => lang.t("制造业单项冠军", "Manufacturing single champion"),
        TitleScheme::DemonstrationEnterprise => lang.t("示范企业", "Demonstration enterprise"),
        TitleScheme::QualityProductionBase => lang.t("优质产品生产基地", "Quality production base"),
        TitleScheme::Other => lang.t("其他称号", "Other title"),
    }
}

const TITLES: Awards<TitleScheme> = Awards {
    kind: ListingKind::Title,
    listing: "titles",
    columns: [
        ("称号名称", "Title"),
        ("类别", "Scheme"),
        ("获得者", "Holder"),
        ("届次/批次", "Edition"),
        ("级别", "Level"),
        ("授予机关", "Issuer"),
        ("授予日期", "Awarded on"),
        ("有效期至", "Valid until"),
        ("状态", "Status"),
    ],
    caption: ("荣誉称号", "Titles"),
    empty: ("没有符合条件的称号。", "No titles match."),
    parse: TitleScheme::parse,
    as_str: TitleScheme::as_str,
    scheme_name,
    status: |l, day| Title(l.clone()).status_on(day),
    // An enterprise, or a place for a production base.
    holder: |l, e| match e {
        Some(e) => e.name.clone().unwrap_or_else(|| e.credit_code.clone()),
        None => l.region_code.clone().unwrap_or_default(),
    },
    detail: |l| l.batch.as_deref(),
};

async fn build(s: &HttpState, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    listings::awards(&TITLES, s, p, look).await
}
