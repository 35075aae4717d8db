//! The title widget, `/embed/titles`: what `titles(schemes:, filter:)` lists (by scheme, region, level, day),
//! with each title's holder (an enterprise, or a place for a production base) and its status on `activeOn`
//! (default today).

use maud::html;

use crate::catalog::listings::graphql::ListingFilter;
use crate::catalog::listings::model::{AwardStatus, ListingKind};
use crate::catalog::listings::title::{Title, TitleScheme};
use crate::catalog::terms::Level;
use crate::graphql::scalars::today_in_china;
use crate::http::HttpState;

use super::brands::{level_name, status_name};
use super::listings::{self, FILTER_FIELDS};
use super::page::{Column, DateStyle, Row, Table, View, date, date_cell};
use super::params::{Field, Lang, Look, Params, Refusal};

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

async fn build(s: &HttpState, p: &mut Params, look: &Look) -> Result<View, Refusal> {
    let lang = look.lang;
    let schemes: Option<Vec<TitleScheme>> = p.arg("schemes", Field::EnumList)?;
    let filter: Option<ListingFilter> = p.input(FILTER_FIELDS)?;
    let first = p.first()?;
    let after = p.one("after");
    p.finish()?;
    let schemes = schemes.unwrap_or_default();
    let filter = filter.unwrap_or_default();
    let day = filter.active_on.map(|d| d.0).unwrap_or_else(today_in_china);
    let names = schemes.iter().map(|s| s.as_str().to_string()).collect();
    let q = listings::query(s, ListingKind::Title, names, filter).await?;
    let page = listings::page(s, p, "titles", q, first, after).await?;
    let d = |x| date_cell(x, DateStyle::Iso, lang);
    let rows = page
        .rows
        .iter()
        .map(|l| {
            let holder = match l.enterprise_id.and_then(|id| page.enterprises.get(&id)) {
                Some(e) => e.name.clone().unwrap_or_else(|| e.credit_code.clone()),
                None => l.region_code.clone().unwrap_or_default(),
            };
            let scheme = TitleScheme::parse(&l.scheme)
                .map(|s| scheme_name(s, lang))
                .unwrap_or(&l.scheme);
            let status = Title(l.clone()).status_on(day);
            Row {
                ended: status != AwardStatus::Valid,
                cells: vec![
                    html! { (l.name.as_deref().unwrap_or("")) },
                    html! { (scheme) },
                    html! { (holder) },
                    html! { (l.batch.as_deref().unwrap_or("")) },
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
        ("称号名称", "Title"),
        ("类别", "Scheme"),
        ("获得者", "Holder"),
        ("届次/批次", "Edition"),
        ("级别", "Level"),
        ("授予机关", "Issuer"),
        ("授予日期", "Awarded on"),
        ("有效期至", "Valid until"),
        ("状态", "Status"),
    ]
    .iter()
    .map(|(zh, en)| Column::plain(lang.t(zh, en)))
    .collect();
    let caption = match schemes.as_slice() {
        [one] => scheme_name(*one, lang).to_string(),
        _ => lang.t("荣誉称号", "Titles").to_string(),
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
            empty: lang.t("没有符合条件的称号。", "No titles match.").to_string(),
        }],
        pager: page.pager,
        last_modified: None,
    })
}
