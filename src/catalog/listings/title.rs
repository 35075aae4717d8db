//! Titles (DOMAIN.md §5): the title schemes, and the `Title` GraphQL object with its status on a day.

use async_graphql::{Context, ID, Object, Result};
use chrono::NaiveDate;

use super::model::{AwardStatus, award_status};
use super::store::Listing;
use crate::catalog::enterprises::graphql::enterprise_of;
use crate::catalog::enterprises::store::Enterprise;
use crate::catalog::terms::{Level, day, words};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

words! {
    /// Title schemes.
    TitleScheme {
        /// 政府质量奖
        GovernmentQualityAward = "GOVERNMENT_QUALITY_AWARD" ["质量奖"],
        /// 制造业单项冠军
        SingleChampion = "SINGLE_CHAMPION" ["单项冠军"],
        /// 示范企业
        DemonstrationEnterprise = "DEMONSTRATION_ENTERPRISE" ["示范企业"],
        /// 优质产品生产基地
        QualityProductionBase = "QUALITY_PRODUCTION_BASE" ["生产基地"],
        Other = "OTHER" ["其他"],
    }
}

/// A title: 政府质量奖, 单项冠军, 示范企业, 优质产品生产基地.
pub struct Title(pub Listing);

impl Title {
    pub fn status_on(&self, d: NaiveDate) -> AwardStatus {
        award_status(d, self.0.started_on, self.0.valid_until, self.0.ended_on, None)
    }
}

#[Object]
impl Title {
    pub async fn id(&self) -> ID {
        ids::encode("Title", self.0.id)
    }
    /// The enterprise, or null for a title given to a place.
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, self.0.enterprise_id).await
    }
    /// The place of a title given to a place (a production base).
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    async fn scheme(&self) -> Option<TitleScheme> {
        TitleScheme::parse(&self.0.scheme)
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn level(&self) -> Option<Level> {
        self.0.level.as_deref().and_then(Level::parse)
    }
    async fn issuer(&self) -> Option<&str> {
        self.0.authority.as_deref()
    }
    /// Edition or batch (第三届, 第五批).
    async fn edition(&self) -> Option<&str> {
        self.0.batch.as_deref()
    }
    async fn announcement_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }
    async fn awarded_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }
    async fn valid_until(&self) -> Option<Date> {
        self.0.valid_until.map(Date)
    }
    async fn revoked_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    async fn status(&self, on: Option<Date>) -> AwardStatus {
        self.status_on(day(on))
    }
}
