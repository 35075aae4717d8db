//! Credit entries (DOMAIN.md §4): the credit lists, and the `CreditEntry` GraphQL object.

use async_graphql::{Context, ID, Object, Result};

use super::store::Listing;
use crate::catalog::enterprises::graphql::enterprise_of;
use crate::catalog::enterprises::store::Enterprise;
use crate::catalog::terms::{covers, day, words};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

words! {
    /// Which credit list an entry is on.
    CreditList {
        /// 经营异常名录
        AbnormalOperations = "ABNORMAL_OPERATIONS" ["经营异常"],
        /// 严重违法失信名单
        SeriousDishonest = "SERIOUS_DISHONEST" ["严重违法失信"],
        /// 行政处罚 (双公示)
        AdministrativePenalty = "ADMINISTRATIVE_PENALTY" ["行政处罚"],
        /// 质量信用等级
        CreditGrade = "CREDIT_GRADE" ["信用等级"],
        /// 守信激励 / 红名单
        RedList = "RED_LIST" ["红名单", "守信"],
    }
}

/// An entry on a credit list. Removed entries stay: the public asks "was it listed on date X?".
pub struct CreditEntry(pub Listing);

#[Object]
impl CreditEntry {
    pub async fn id(&self) -> ID {
        ids::encode("CreditEntry", self.0.id)
    }
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        enterprise_of(ctx, self.0.enterprise_id).await
    }
    async fn list(&self) -> Option<CreditList> {
        CreditList::parse(&self.0.scheme)
    }
    /// 列入原因 (for a penalty: the facts and the penalty).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn listed_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }
    /// 作出决定机关
    async fn authority(&self) -> Option<&str> {
        self.0.authority.as_deref()
    }
    async fn document_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }
    /// The grade, for a credit-grade entry.
    async fn grade(&self) -> Option<&str> {
        self.0.details.grade.as_deref()
    }
    /// 移出日期
    async fn removed_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    /// 移出原因
    async fn removal_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    async fn removal_authority(&self) -> Option<&str> {
        self.0.end_authority.as_deref()
    }
    /// Whether the entry was in force on `on` (default today).
    async fn active(&self, on: Option<Date>) -> bool {
        covers(self.0.started_on, self.0.ended_on, day(on))
    }
}
