//! Brands (DOMAIN.md §5): the brand schemes and when the abolished ones ended, and the `Brand` GraphQL object with
//! its status on a day.

use async_graphql::{Context, ID, Object, Result};
use chrono::NaiveDate;

use super::model::{AwardStatus, award_status};
use super::store::Listing;
use crate::catalog::enterprises::graphql::enterprise_of;
use crate::catalog::enterprises::store::{self as enterprise_store, Enterprise};
use crate::catalog::terms::{Level, day, words};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::graphql::ids;
use crate::graphql::scalars::Date;

words! {
    /// Brand schemes.
    BrandScheme {
        /// 中国驰名商标 (case-by-case recognition; not for advertising)
        WellKnownTrademark = "WELL_KNOWN_TRADEMARK" ["驰名商标"],
        /// 中国名牌产品: no batches after 2007
        ChinaFamousProduct = "CHINA_FAMOUS_PRODUCT" ["中国名牌"],
        /// 省名牌产品 (re-evaluated every 3 years)
        ProvincialFamousProduct = "PROVINCIAL_FAMOUS_PRODUCT" ["名牌产品"],
        /// 地理标志, with the enterprises authorised to use it
        GeographicalIndication = "GEOGRAPHICAL_INDICATION" ["地理标志"],
        /// 浙江制造 certification (品字标)
        ZhejiangMade = "ZHEJIANG_MADE" ["浙江制造", "品字标"],
        /// 省著名商标: abolished in 2017
        ProvincialFamousTrademark = "PROVINCIAL_FAMOUS_TRADEMARK" ["著名商标"],
    }
}

impl BrandScheme {
    /// The first day on which the scheme no longer exists, for the schemes that were abolished.
    pub fn abolished_from(self) -> Option<NaiveDate> {
        match self {
            BrandScheme::ProvincialFamousTrademark => NaiveDate::from_ymd_opt(2018, 1, 1),
            BrandScheme::ChinaFamousProduct => NaiveDate::from_ymd_opt(2008, 1, 1),
            _ => None,
        }
    }
}

/// A brand listing: 驰名商标, 名牌产品, 地理标志, 浙江制造, and the abolished schemes.
pub struct Brand(pub Listing);

impl Brand {
    fn scheme_value(&self) -> Option<BrandScheme> {
        BrandScheme::parse(&self.0.scheme)
    }
    pub fn status_on(&self, d: NaiveDate) -> AwardStatus {
        award_status(
            d,
            self.0.started_on,
            self.0.valid_until,
            self.0.ended_on,
            self.scheme_value().and_then(|s| s.abolished_from()),
        )
    }
}

#[Object]
impl Brand {
    pub async fn id(&self) -> ID {
        ids::encode("Brand", self.0.id)
    }
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, self.0.enterprise_id).await
    }
    async fn scheme(&self) -> Option<BrandScheme> {
        self.scheme_value()
    }
    /// The mark, product name or certification name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn product(&self) -> Option<&str> {
        self.0.details.product.as_deref()
    }
    async fn level(&self) -> Option<Level> {
        self.0.level.as_deref().and_then(Level::parse)
    }
    async fn issuer(&self) -> Option<&str> {
        self.0.authority.as_deref()
    }
    /// For 浙江制造: the certification body.
    async fn certifier(&self) -> Option<&str> {
        self.0.details.certifier.as_deref()
    }
    async fn certificate_number(&self) -> Option<&str> {
        self.0.details.certificate_number.as_deref()
    }
    /// For 浙江制造: the `T/ZZB` standard the product meets.
    async fn standard_number(&self) -> Option<&str> {
        self.0.details.standard_number.as_deref()
    }
    async fn batch(&self) -> Option<&str> {
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
    /// Status on `on` (default today).
    async fn status(&self, on: Option<Date>) -> AwardStatus {
        self.status_on(day(on))
    }
    /// For a geographical indication: the enterprises authorised to use it.
    async fn authorized_users(&self, ctx: &Context<'_>) -> Result<Vec<Enterprise>> {
        let db = &ctx.data_unchecked::<AppContext>().db;
        let mut out = Vec::new();
        for code in &self.0.details.authorized_users {
            if let Some(e) = enterprise_store::enterprise_by_code(db, code)
                .await
                .map_err(ApiError::from)?
            {
                out.push(e);
            }
        }
        Ok(out)
    }
}
